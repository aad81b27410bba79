//! The ringroute demo: users and servers on a consistent-hash ring, animated as servers
//! join and leave, beside what modulo hashing would have moved. Built on ring-core.

mod components;
mod geometry;
mod palette;
mod state;

fn main() {
    yew::Renderer::<components::App>::new().render();
}
