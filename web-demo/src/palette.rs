//! Server colours. The first eight are the Okabe–Ito set, distinguishable with the
//! common colour-vision deficiencies. Colour alone cannot keep 32 servers apart, so
//! slots past the eighth also get a dash pattern on the ring (see [`dash`]) and every
//! server is named in the panel, the legend and each mark's tooltip.

/// One colour per server slot; the demo holds at most this many servers.
pub const PALETTE: [&str; 32] = [
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999",
    "#e6194b", "#3cb44b", "#4363d8", "#f032e6", "#42d4f4", "#bfef45", "#fabed4", "#469990",
    "#dcbeff", "#9a6324", "#fffac8", "#aaffc3", "#808000", "#ffd8b1", "#a9a9ff", "#ff7f50",
    "#7fffd4", "#da70d6", "#b0e0e6", "#ffb6c1", "#cd853f", "#98fb98", "#87cefa", "#ff6347",
];

/// How many slots colour alone keeps apart.
pub const DISTINCT: usize = 8;

/// The CSS colour of slot `slot`.
pub fn colour(slot: u8) -> &'static str {
    PALETTE[usize::from(slot) % PALETTE.len()]
}

/// The second cue: an SVG dash pattern for slots past [`DISTINCT`], one per group of 8.
pub fn dash(slot: u8) -> Option<&'static str> {
    match usize::from(slot) / DISTINCT {
        0 => None,
        1 => Some("6 3"),
        2 => Some("2 2.5"),
        _ => Some("8 3 2 3"),
    }
}

/// Text colour on a chip of `slot`'s colour: black or white, whichever contrasts more.
pub fn ink(slot: u8) -> &'static str {
    if contrast(luminance(colour(slot)), 0.0) >= contrast(luminance(colour(slot)), 1.0) {
        "#000"
    } else {
        "#fff"
    }
}

/// WCAG relative luminance of `#rrggbb`.
pub fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/// WCAG contrast ratio of two luminances.
pub fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_has_its_own_colour() {
        let mut seen: Vec<&str> = PALETTE.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), PALETTE.len());
    }

    #[test]
    fn chip_text_reaches_wcag_aa_on_every_colour() {
        for slot in 0..PALETTE.len() as u8 {
            let ink = if ink(slot) == "#000" { 0.0 } else { 1.0 };
            let ratio = contrast(luminance(colour(slot)), ink);
            assert!(ratio >= 4.5, "slot {slot} {}: {ratio:.2}", colour(slot));
        }
    }

    #[test]
    fn the_page_text_colours_reach_wcag_aa() {
        // (text, background) pairs from style.css.
        for (fg, bg) in [
            ("#e6e9f0", "#0e1320"),
            ("#a9b4cc", "#161d2e"),
            ("#a9b4cc", "#222c44"),
            ("#a9b4cc", "#0e1320"),
            ("#4cd59a", "#161d2e"),
            ("#ff8a8a", "#161d2e"),
            ("#ffd166", "#161d2e"),
            ("#8ec5ff", "#161d2e"),
        ] {
            let ratio = contrast(luminance(fg), luminance(bg));
            assert!(ratio >= 4.5, "{fg} on {bg}: {ratio:.2}");
        }
    }
}
