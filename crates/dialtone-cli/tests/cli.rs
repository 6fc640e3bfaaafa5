//! The `dialtone` binary, run as a person or a script would.

use std::process::Command;

fn dialtone() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    cmd.env_remove("DIALTONE_DATA_DIR");
    cmd
}

#[test]
fn help_names_the_data_dir_option() {
    let out = dialtone().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Usage: dialtone"), "{text}");
    assert!(text.contains("--data-dir <DIR>"), "{text}");
    assert!(text.contains("DIALTONE_DATA_DIR"), "{text}");
}

#[test]
fn data_dir_flag_moves_everything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dialtone().args(["--data-dir"]).arg(dir.path()).args(["info", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["data_dir"], dir.path().to_str().unwrap());
    assert_eq!(info["log_dir"], dir.path().join("logs").to_str().unwrap());
    assert!(dir.path().join("logs").is_dir(), "the CLI logs into the data dir");
}

#[test]
fn data_dir_env_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let out = dialtone().env("DIALTONE_DATA_DIR", dir.path()).args(["info", "--json"]).output().unwrap();
    assert!(out.status.success());
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["config_dir"], dir.path().to_str().unwrap());
}

#[test]
fn unknown_command_fails_with_a_message() {
    let out = dialtone().arg("dial-everyone").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand"));
}

/// `dialtone history | head`: when the reader has gone, the command ends quietly and
/// successfully, as ripgrep or ls do, instead of panicking on the closed pipe.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["history"][..], &["history", "--json"], &["provider", "kinds"], &["qr", "hello"], &["info"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // gone before the first write: every write fails with EPIPE
        let out = dialtone()
            .env("DIALTONE_DATA_DIR", dir.path())
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "dialtone {args:?} into a closed pipe: {}: {said}", out.status);
        assert!(!said.contains("panicked") && !said.contains("Broken pipe"), "dialtone {args:?}: {said}");
    }
}

/// `config set echo-cancellation off` (and its two siblings): kept in settings.toml for
/// the next live call, one at a time, and a value that is not on/off is refused.
#[test]
fn a_live_calls_microphone_clean_up_is_turned_off_and_on() {
    let dir = tempfile::tempdir().unwrap();
    let set = |key: &str, value: &str| {
        dialtone().arg("--data-dir").arg(dir.path()).args(["config", "set", key, value]).output().unwrap()
    };
    let out = set("echo-cancellation", "off");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Echo cancellation is off for the microphone in live calls.\n");
    let settings = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
    assert!(
        settings.contains("[call_audio]\necho_cancellation = false\ngain_control = true\nnoise_suppression = true\n"),
        "{settings}"
    );
    assert!(set("gain-control", "off").status.success());
    assert!(set("echo-cancellation", "on").status.success());
    let settings = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
    assert!(settings.contains("echo_cancellation = true") && settings.contains("gain_control = false"), "{settings}");
    let out = set("noise-suppression", "maybe");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("noise-suppression takes on or off, not “maybe”"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
