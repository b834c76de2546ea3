fn main() -> std::process::ExitCode {
    mm_portal::cli::main()
}
