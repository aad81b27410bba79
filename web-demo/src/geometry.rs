//! Ring positions (0 to 2^32) to SVG coordinates: position 0 at the top, clockwise.

use core::fmt::Write;

/// The SVG canvas is `SIZE` × `SIZE` user units.
pub const SIZE: f64 = 660.0;
/// The centre of the ring.
pub const CENTRE: f64 = SIZE / 2.0;
/// The radius of the ring line, where servers' points sit.
pub const RING: f64 = 262.0;
/// Users sit inside the ring, in a band from `USERS_INNER` to `USERS_OUTER`.
pub const USERS_INNER: f64 = 192.0;
/// See [`USERS_INNER`].
pub const USERS_OUTER: f64 = 242.0;

const TURN: f64 = 4_294_967_296.0; // 2^32 positions in one turn

/// The angle of `position` in radians, clockwise from the top.
pub fn angle(position: u32) -> f64 {
    f64::from(position) / TURN * core::f64::consts::TAU
}

/// The point at `position` on a circle of `radius` around the centre.
pub fn point(position: u32, radius: f64) -> (f64, f64) {
    let a = angle(position);
    (CENTRE + radius * a.sin(), CENTRE - radius * a.cos())
}

/// A user's radius inside the band: a function of its position's low bits, so dots at
/// nearly the same angle spread out instead of stacking, and a reload draws the same.
pub fn user_radius(position: u32) -> f64 {
    let spread = f64::from(position & 0xff) / 255.0;
    USERS_INNER + spread * (USERS_OUTER - USERS_INNER)
}

/// Appends to `path` an SVG arc along the ring from `from` clockwise to `to`, a full
/// circle when they are equal (the arc of a ring with a single point).
pub fn push_arc(path: &mut String, from: u32, to: u32, radius: f64) {
    let span = to.wrapping_sub(from);
    if span == 0 {
        // A full circle cannot be one SVG arc: draw two halves.
        push_arc(path, from, from.wrapping_add(1 << 31), radius);
        push_arc(path, from.wrapping_add(1 << 31), from, radius);
        return;
    }
    let (x0, y0) = point(from, radius);
    let (x1, y1) = point(to, radius);
    let large = u8::from(span > 1 << 31);
    // Writing to a String cannot fail.
    let _ = write!(
        path,
        "M{x0:.2} {y0:.2}A{radius} {radius} 0 {large} 1 {x1:.2} {y1:.2}"
    );
}

/// Appends a radial tick at `position` from `inner` to `outer`.
pub fn push_tick(path: &mut String, position: u32, inner: f64, outer: f64) {
    let (x0, y0) = point(position, inner);
    let (x1, y1) = point(position, outer);
    let _ = write!(path, "M{x0:.2} {y0:.2}L{x1:.2} {y1:.2}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn positions_run_clockwise_from_the_top() {
        assert!(close(point(0, 10.0), (CENTRE, CENTRE - 10.0)));
        assert!(close(point(1 << 30, 10.0), (CENTRE + 10.0, CENTRE)));
        assert!(close(point(1 << 31, 10.0), (CENTRE, CENTRE + 10.0)));
        assert!(close(point(3 << 30, 10.0), (CENTRE - 10.0, CENTRE)));
    }

    #[test]
    fn arcs_pick_the_large_flag_and_wrap() {
        let mut small = String::new();
        push_arc(&mut small, 0, 1 << 30, 10.0);
        assert!(small.contains(" 0 0 1 "), "{small}");
        let mut large = String::new();
        push_arc(&mut large, 0, 3 << 30, 10.0);
        assert!(large.contains(" 0 1 1 "), "{large}");
        // Wrapping past 2^32: from three quarters round to one quarter is half a turn.
        let mut wrapped = String::new();
        push_arc(&mut wrapped, 3 << 30, 1 << 30, 10.0);
        assert!(wrapped.contains(" 0 0 1 "), "{wrapped}");
        let mut full = String::new();
        push_arc(&mut full, 5, 5, 10.0);
        assert_eq!(full.matches('M').count(), 2, "{full}");
    }

    #[test]
    fn users_stay_inside_their_band() {
        for p in [0, 1, 0xff, 0x1234_5678, u32::MAX] {
            let r = user_radius(p);
            assert!((USERS_INNER..=USERS_OUTER).contains(&r));
        }
    }
}
