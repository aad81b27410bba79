//! The ringroute demo: users and servers on a consistent-hash ring, animated as servers
//! join, leave and fail, beside what ketama and modulo hashing would have done. Built on
//! ring-core (the `ringroute` crate).

mod components;
mod domain;
mod figures;
mod geometry;
mod palette;
mod state;
mod story;
mod url;

fn main() {
    yew::Renderer::<components::App>::new().render();
}
