//! `-f`/`--set-file` with an http(s) URL: fetched as Helm's HTTP getter does. Every request goes to a
//! loopback server this test starts (127.0.0.1 only); when the real Helm is installed
//! (scripts/install-oracle) its output is compared too.
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Serves `/values.yaml` and `/note.txt`; anything else is `404 Not Found`.
fn start_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = match path {
                "/values.yaml" => ("200 OK", "name: from-url\nlist: [1, 2]\n"),
                "/note.txt" => ("200 OK", "a note"),
                _ => ("404 Not Found", "404 page not found\n"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn chart() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rudder-values-url-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/x.yaml"),
        "name: {{ .Values.name }}\nlist: {{ .Values.list }}\nnote: {{ .Values.note | quote }}\n",
    )
    .unwrap();
    dir
}

struct Outcome {
    exit: i32,
    stdout: String,
    error_line: Option<String>,
}

fn run(program: &Path, dir: &Path, args: &[String]) -> Outcome {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("KUBECONFIG", "/dev/null")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Outcome {
        exit: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        error_line: stderr
            .lines()
            .find(|l| l.starts_with("Error: "))
            .map(str::to_string),
    }
}

#[test]
fn values_from_url_like_helm() {
    let port = start_server();
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = chart();
    let base = format!("http://127.0.0.1:{port}");
    let words = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_string).collect() };
    let cases = [
        words(&format!(
            "template rel . -f {base}/values.yaml --set-file note={base}/note.txt"
        )),
        words(&format!("template rel . -f {base}/missing.yaml")),
        words(&format!(
            "template rel . -f http://127.0.0.1:{refused}/values.yaml"
        )),
        words(&format!("lint . -f {base}/values.yaml")),
    ];
    let rudder = &common::rudder_as_helm();
    let ours: Vec<Outcome> = cases.iter().map(|c| run(rudder, &dir, c)).collect();
    assert_eq!(ours[0].exit, 0, "{:?}", ours[0].error_line);
    assert_eq!(
        ours[0].stdout,
        "---\n# Source: c/templates/x.yaml\nname: from-url\nlist: [1 2]\nnote: \"a note\"\n"
    );
    assert_eq!(
        ours[1].error_line.as_deref(),
        Some(format!("Error: failed to fetch {base}/missing.yaml : 404 Not Found").as_str())
    );
    assert_eq!(
        ours[2].error_line.as_deref(),
        Some(
            format!(
                "Error: Get \"http://127.0.0.1:{refused}/values.yaml\": dial tcp 127.0.0.1:{refused}: connect: connection refused"
            )
            .as_str()
        )
    );
    assert_eq!(ours[3].exit, 0);
    if let Ok(helm) = common::helm_v3() {
        for (case, ours) in cases.iter().zip(&ours) {
            let theirs = run(&helm, &dir, case);
            assert_eq!(
                (ours.exit, &ours.stdout, &ours.error_line),
                (theirs.exit, &theirs.stdout, &theirs.error_line),
                "rudder vs helm: {case:?}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
