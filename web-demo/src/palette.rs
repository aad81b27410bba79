//! Server colours. The first eight are the Okabe–Ito set, distinguishable with the
//! common colour-vision deficiencies; most demos never need more. The rest are
//! well-separated extras, so the demo's limit of 32 servers still gives each its own
//! colour (the legend and every tooltip also name the server).

/// One colour per server slot; the demo holds at most this many servers.
pub const PALETTE: [&str; 32] = [
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999",
    "#e6194b", "#3cb44b", "#4363d8", "#f032e6", "#42d4f4", "#bfef45", "#fabed4", "#469990",
    "#dcbeff", "#9a6324", "#fffac8", "#aaffc3", "#808000", "#ffd8b1", "#a9a9ff", "#ff7f50",
    "#7fffd4", "#da70d6", "#b0e0e6", "#ffb6c1", "#cd853f", "#98fb98", "#87cefa", "#ff6347",
];

/// The CSS colour of slot `slot`.
pub fn colour(slot: u8) -> &'static str {
    PALETTE[usize::from(slot) % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::PALETTE;

    #[test]
    fn every_slot_has_its_own_colour() {
        let mut seen: Vec<&str> = PALETTE.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), PALETTE.len());
    }
}
