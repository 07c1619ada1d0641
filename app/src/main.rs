//! The app's entry point (built by Trunk into `dist/`).

fn main() {
    kartoteka_app::start();
}
