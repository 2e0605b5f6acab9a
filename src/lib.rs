pub mod analysis;
pub mod cli;
pub mod load;
pub mod model;
pub mod tui;
