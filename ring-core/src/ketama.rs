//! A ring that reproduces libmemcached's weighted ketama continuum exactly, so users of
//! the `hashring` npm package, nginx `hash ... consistent`, twemproxy or pylibmc can
//! switch to ringroute without remapping a single key.
//!
//! The rules, as libmemcached's `update_continuum` applies them (`SPEC.md`, section 12):
//! a server of weight `w` among `n` servers of total weight `W` gets
//! `floor(f32(w) / f32(W) × 160 / 4 × f32(n))` MD5 digests, computed in single
//! precision; digest `i` is taken of `"host-i"` when the port is 11211 and of
//! `"host:port-i"` otherwise; each digest gives 4 points, its 4-byte words read
//! little-endian; a key's position is the first 4 bytes of its MD5, little-endian.

use alloc::{
    boxed::Box,
    format,
    string::{String, ToString},
    vec::Vec,
};
use md5::{Digest, Md5};

use crate::RingError;

/// The port libmemcached leaves out of point labels.
pub const KETAMA_DEFAULT_PORT: u16 = 11211;
/// Points per server at equal weights: 40 digests of 4 points.
pub const KETAMA_POINTS_PER_SERVER: u32 = 160;
/// libmemcached's longest host name (`MEMCACHED_NI_MAXHOST`).
pub const KETAMA_MAX_HOST: usize = 1025;

/// A memcached-style server: host, port and integer weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KetamaServer<T> {
    /// Host name or address, as configured (it is hashed as written).
    pub host: Box<str>,
    /// TCP port.
    pub port: u16,
    /// Integer weight, at least 1.
    pub weight: u32,
    /// The caller's payload.
    pub data: T,
}

impl<T> KetamaServer<T> {
    /// `host:port`, the server's name in `hashring` and twemproxy.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The libmemcached-compatible ketama ring. Servers keep the order they were added in,
/// as libmemcached's server list does; equal points are ordered by it.
///
/// ```
/// use ringroute::Ketama;
/// let mut ring = Ketama::new();
/// ring.add("10.0.0.1", 11211, 1, ())?;
/// ring.add("10.0.0.2", 11211, 1, ())?;
/// ring.add("10.0.0.3", 11212, 2, ())?;
/// let server = ring.get("user:42").unwrap();
/// println!("user:42 -> {}", server.name());
/// // Weights 1, 1, 2 of 4 over 3 servers: 30, 30 and 60 digests of 4 points each.
/// assert_eq!(ring.point_count(), 4 * (30 + 30 + 60));
/// # Ok::<(), ringroute::RingError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ketama<T> {
    servers: Vec<KetamaServer<T>>,
    positions: Vec<u32>,
    owners: Vec<u16>,
}

impl<T> Default for Ketama<T> {
    fn default() -> Self {
        Self {
            servers: Vec::new(),
            positions: Vec::new(),
            owners: Vec::new(),
        }
    }
}

/// libmemcached's digest count for a server of `weight` among `servers` of `total`.
/// Single-precision arithmetic, as in `update_continuum`; the `+ 1e-10` is added in
/// double precision and, as there, disappears when cast back to `float`.
#[must_use]
pub fn ketama_digests(weight: u32, total: u64, servers: usize) -> u32 {
    let pct = weight as f32 / total as f32;
    let x = pct * KETAMA_POINTS_PER_SERVER as f32 / 4.0 * servers as f32;
    let x = (f64::from(x) + 0.000_000_000_1) as f32;
    // Truncation is floor for this non-negative value.
    x as u32
}

/// The first four bytes of MD5(`bytes`), little-endian: ketama's key hash.
#[must_use]
pub fn ketama_hash(bytes: &[u8]) -> u32 {
    let d = Md5::digest(bytes);
    u32::from_le_bytes([d[0], d[1], d[2], d[3]])
}

/// One server's checks, in the order `add` reports them (SPEC.md §15), `servers` being
/// how many the ring holds before it.
fn admit(host: &str, weight: u32, duplicate: bool, servers: usize) -> Result<(), RingError> {
    if host.is_empty() {
        return Err(RingError::EmptyId);
    }
    if host.len() > KETAMA_MAX_HOST {
        return Err(RingError::IdTooLong { len: host.len() });
    }
    if weight == 0 {
        return Err(RingError::InvalidWeight);
    }
    if duplicate {
        return Err(RingError::DuplicateId);
    }
    if servers >= crate::MAX_NODES {
        return Err(RingError::TooManyNodes);
    }
    Ok(())
}

impl<T> Ketama<T> {
    /// An empty ring.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a server at the end of the server list and rebuilds the continuum.
    ///
    /// Every server's digest count depends on the whole list, so each `add` hashes every
    /// server's labels again: to build a ring of many servers, use
    /// [`add_all`](Self::add_all), which hashes them once.
    ///
    /// # Errors
    /// [`RingError::EmptyId`] for an empty host, [`RingError::IdTooLong`] past
    /// [`KETAMA_MAX_HOST`] bytes, [`RingError::InvalidWeight`] for weight 0,
    /// [`RingError::DuplicateId`] for a `host:port` already present, and
    /// [`RingError::TooManyNodes`] past 65,536 servers. The ring is then unchanged.
    pub fn add(&mut self, host: &str, port: u16, weight: u32, data: T) -> Result<(), RingError> {
        let duplicate = self.position_of(host, port).is_some();
        admit(host, weight, duplicate, self.servers.len())?;
        self.servers.push(KetamaServer {
            host: host.into(),
            port,
            weight,
            data,
        });
        self.rebuild();
        Ok(())
    }

    /// Adds `(host, port, weight, data)` servers at the end of the list, in order, as
    /// that many [`add`](Self::add)s would, but computes the continuum once: a ring of
    /// 1,000 servers built with `add` hashes 20 million labels, with `add_all` 40,000.
    /// Either all are added or, on error, none; at most one server past 65,536 is read.
    ///
    /// ```
    /// use ringroute::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add_all([("10.0.0.1", 11211, 1, ()), ("10.0.0.2", 11211, 1, ()), ("10.0.0.3", 11212, 2, ())])?;
    /// assert_eq!(ring.point_count(), 4 * (30 + 30 + 60));
    /// # Ok::<(), ringroute::RingError>(())
    /// ```
    ///
    /// # Errors
    /// The error of the first `add` that would fail, adding the servers one by one: a
    /// `host:port` earlier in `servers` counts as present.
    pub fn add_all<'s, I>(&mut self, servers: I) -> Result<(), RingError>
    where
        I: IntoIterator<Item = (&'s str, u16, u32, T)>,
    {
        // One past the most the ring can hold is enough to report `TooManyNodes`.
        let room = crate::MAX_NODES - self.servers.len();
        let batch: Vec<(&str, u16, u32, T)> = servers.into_iter().take(room + 1).collect();
        // Which entries name a server met earlier (on the ring or in the batch): one sort
        // of the names, where an `add` per server would scan the list each time.
        let held = self.servers.len();
        let name = |i: usize| match i.checked_sub(held) {
            None => (&*self.servers[i].host, self.servers[i].port),
            Some(j) => (batch[j].0, batch[j].1),
        };
        let repeated = crate::admission::repeats(held + batch.len(), &|a, b| name(a).cmp(&name(b)));
        for (i, &(host, _, weight, _)) in batch.iter().enumerate() {
            admit(host, weight, repeated[held + i], held + i)?;
        }
        let mut added: Vec<KetamaServer<T>> = batch
            .into_iter()
            .map(|(host, port, weight, data)| KetamaServer {
                host: host.into(),
                port,
                weight,
                data,
            })
            .collect();
        if !added.is_empty() {
            self.servers.append(&mut added);
            self.rebuild();
        }
        Ok(())
    }

    /// Removes a server and returns its payload.
    pub fn remove(&mut self, host: &str, port: u16) -> Option<T> {
        let i = self.position_of(host, port)?;
        let server = self.servers.remove(i);
        self.rebuild();
        Some(server.data)
    }

    fn position_of(&self, host: &str, port: u16) -> Option<usize> {
        self.servers
            .iter()
            .position(|s| &*s.host == host && s.port == port)
    }

    fn rebuild(&mut self) {
        let total: u64 = self.servers.iter().map(|s| u64::from(s.weight)).sum();
        let n = self.servers.len();
        let mut keys: Vec<u64> = Vec::new();
        for (index, server) in self.servers.iter().enumerate() {
            let mut label = if server.port == KETAMA_DEFAULT_PORT {
                format!("{}-", server.host)
            } else {
                format!("{}:{}-", server.host, server.port)
            };
            let prefix = label.len();
            for digest in 0..ketama_digests(server.weight, total, n) {
                label.truncate(prefix);
                label.push_str(&digest.to_string());
                let d = Md5::digest(label.as_bytes());
                for word in d.chunks_exact(4) {
                    let value = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
                    keys.push(u64::from(value) << 16 | index as u64);
                }
            }
        }
        // Ties go to the server added first, as in `hashring`'s stable sort.
        keys.sort_unstable();
        self.positions = keys.iter().map(|k| (k >> 16) as u32).collect();
        self.owners = keys.iter().map(|&k| k as u16).collect();
    }

    /// The server owning `key`: the first point at or after its ketama hash, wrapping.
    #[must_use]
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&KetamaServer<T>> {
        self.get_at(ketama_hash(key.as_ref()))
    }

    /// The server owning ring position `position`.
    #[must_use]
    pub fn get_at(&self, position: u32) -> Option<&KetamaServer<T>> {
        let i = self.point_at(position)?;
        Some(&self.servers[usize::from(self.owners[i])])
    }

    fn point_at(&self, position: u32) -> Option<usize> {
        if self.positions.is_empty() {
            return None;
        }
        let i = self.positions.partition_point(|&p| p < position);
        Some(if i == self.positions.len() { 0 } else { i })
    }

    /// Up to `n` distinct servers walking clockwise from `key` (`hashring`'s `range`).
    #[must_use]
    pub fn get_n(&self, key: impl AsRef<[u8]>, n: usize) -> Vec<&KetamaServer<T>> {
        let mut out: Vec<&KetamaServer<T>> = Vec::new();
        let Some(start) = self.point_at(ketama_hash(key.as_ref())) else {
            return out;
        };
        let mut seen = alloc::vec![false; self.servers.len()];
        for step in 0..self.positions.len() {
            if out.len() == n {
                break;
            }
            let owner = usize::from(self.owners[(start + step) % self.positions.len()]);
            if !seen[owner] {
                seen[owner] = true;
                out.push(&self.servers[owner]);
            }
        }
        out
    }

    /// The servers, in the order they were added.
    pub fn servers(&self) -> impl ExactSizeIterator<Item = &KetamaServer<T>> {
        self.servers.iter()
    }

    /// How many servers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Whether there are no servers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// How many points the continuum holds.
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.positions.len()
    }

    /// The continuum's points in ring order: each position with the server owning the
    /// arc that ends there (for drawing the ring, or checking it against libmemcached's).
    ///
    /// ```
    /// use ringroute::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add("10.0.0.1", 11211, 1, ())?;
    /// let points: Vec<_> = ring.points().collect();
    /// assert_eq!(points.len(), ring.point_count());
    /// assert!(points.windows(2).all(|w| w[0].0 <= w[1].0));
    /// assert_eq!(ring.get_at(points[3].0).unwrap().name(), points[3].1.name());
    /// # Ok::<(), ringroute::RingError>(())
    /// ```
    pub fn points(&self) -> impl ExactSizeIterator<Item = (u32, &KetamaServer<T>)> {
        self.positions
            .iter()
            .zip(&self.owners)
            .map(|(&position, &owner)| (position, &self.servers[usize::from(owner)]))
    }
}
