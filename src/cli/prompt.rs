//! Interactive prompts as Helm's commands read them: a password without echo (Go's
//! `term.ReadPassword` for `repo add`; moby's `term.DisableEcho` around a line for `registry
//! login`), and a plain line (`Username: `). Reading a password needs a terminal on standard input:
//! otherwise the error is Go's, `inappropriate ioctl for device`, after the prompt, as in Helm.
use std::io::{BufRead, Write};

/// Standard input's terminal settings, restored when dropped.
struct EchoOff {
    saved: libc::termios,
}

impl EchoOff {
    /// Turns echo off on standard input; Go's error text when it is not a terminal.
    fn new() -> Result<EchoOff, String> {
        // SAFETY: `termios` is plain data; tcgetattr fills it or fails.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd 0 and a valid pointer to `saved`.
        if unsafe { libc::tcgetattr(0, &mut saved) } != 0 {
            return Err(crate::go_os::reason(&std::io::Error::last_os_error()));
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ICANON | libc::ISIG;
        quiet.c_iflag |= libc::ICRNL;
        // SAFETY: fd 0 and a valid termios.
        if unsafe { libc::tcsetattr(0, libc::TCSANOW, &quiet) } != 0 {
            return Err(crate::go_os::reason(&std::io::Error::last_os_error()));
        }
        Ok(EchoOff { saved })
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `new` on the same descriptor.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
        }
    }
}

fn read_stdin_line() -> Result<String, String> {
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| crate::go_os::reason(&e))?;
    if read == 0 {
        return Err("EOF".into());
    }
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_string())
}

/// Prints `prompt` on standard output and reads a line without echo, then prints the newline the
/// user's Enter did not show.
pub fn password(prompt: &str) -> Result<String, String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let result = EchoOff::new().and_then(|echo_off| {
        let line = read_stdin_line();
        drop(echo_off);
        line
    });
    println!();
    result
}

/// Prints `prompt` and reads a line, echoed.
pub fn line(prompt: &str) -> Result<String, String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    read_stdin_line()
}

/// Prints `prompt` and reads a line without echo; the newline is printed only when a line was read
/// (Helm's `registry login` `readLine(prompt, true)`).
pub fn silent_line(prompt: &str) -> Result<String, String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let echo_off = EchoOff::new()?;
    let line = read_stdin_line()?;
    drop(echo_off);
    println!();
    Ok(line)
}
