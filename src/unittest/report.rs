//! Printing results: helm-unittest's human report (chart header, ` PASS `/` FAIL ` per suite, each
//! failed assertion's `FailInfo`, the summary with counts and time; ANSI colours on a terminal or
//! with `--color`), with the suite file and line of each failed assertion added to its title; and
//! the machine formats of `-t/--output-type` (JUnit, XUnit, NUnit, Sonar) written to `-o`.
use std::fmt::Write as _;
use std::time::Duration;

use super::job::TestResult;
use super::run::{RunResult, SuiteResult};

/// Colours, when enabled (fatih/color's codes).
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub color: bool,
}

impl Printer {
    /// fatih/color's `Sprint`: the attributes, the text, then one reset per attribute (its own
    /// reset for bold, faint and the other styles: `22` for both bold and faint; `0` for colours).
    fn paint(&self, code: &str, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let reset: Vec<&str> = code
            .split(';')
            .map(|attr| match attr {
                "1" | "2" => "22",
                "3" => "23",
                "4" => "24",
                "5" | "6" => "25",
                "7" => "27",
                "8" => "28",
                "9" => "29",
                _ => "0",
            })
            .collect();
        format!("\x1b[{code}m{text}\x1b[{}m", reset.join(";"))
    }
    fn danger(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn highlight(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn faint(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn warning(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn label(&self, code: &str, t: &str) -> String {
        self.paint(code, t)
    }
}

fn line(out: &mut String, indent: usize, text: &str) {
    for _ in 0..indent {
        out.push('\t');
    }
    out.push_str(text);
    out.push('\n');
}

/// Go's `time.Duration.String()`.
pub fn go_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".into();
    }
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if ns < 1_000_000 {
        return format!("{}µs", trim(format!("{:.3}", ns as f64 / 1e3)));
    }
    if ns < 1_000_000_000 {
        return format!(
            "{}ms",
            trim(format!("{}.{:06}", ns / 1_000_000, ns % 1_000_000))
        );
    }
    let total_secs = ns / 1_000_000_000;
    let frac = ns % 1_000_000_000;
    let (h, m, s) = (total_secs / 3600, (total_secs / 60) % 60, total_secs % 60);
    let secs = trim(format!("{s}.{frac:09}"));
    if h > 0 {
        format!("{h}h{m}m{secs}s")
    } else if m > 0 {
        format!("{m}m{secs}s")
    } else {
        format!("{secs}s")
    }
}

#[derive(Default)]
struct Counting {
    passed: u64,
    failed: u64,
    errored: u64,
    skipped: u64,
}

impl Counting {
    fn sprint(&self, p: &Printer) -> String {
        let mut out = String::new();
        if self.failed > 0 {
            out.push_str(&p.danger(&format!("{} failed, ", self.failed)));
        }
        if self.errored > 0 {
            out.push_str(&format!("{} errored, ", self.errored));
        }
        if self.skipped > 0 {
            out.push_str(&format!(
                "{} passed, {} skipped, {} total",
                self.passed,
                self.skipped,
                self.passed + self.failed + self.skipped
            ));
        } else {
            out.push_str(&format!(
                "{} passed, {} total",
                self.passed,
                self.passed + self.failed
            ));
        }
        out
    }
}

fn suite_title(p: &Printer, s: &SuiteResult) -> String {
    let label = if s.skipped {
        p.label("43;30", " SKIP ")
    } else if s.passed && s.error.is_none() {
        p.label("42;30", " PASS ")
    } else {
        p.label("41;37", " FAIL ")
    };
    let path = if s.file.is_empty() {
        String::new()
    } else {
        let (dir, base) = match s.file.rsplit_once('/') {
            Some((d, b)) => (format!("{d}/"), b.to_string()),
            None => ("./".to_string(), s.file.clone()),
        };
        format!("{}{base}", p.faint(&dir))
    };
    format!("{label} {}\t{path}", p.highlight(&s.name))
}

fn print_test(out: &mut String, p: &Printer, t: &TestResult, file: &str) {
    if t.passed {
        return;
    }
    if t.skipped {
        line(
            out,
            1,
            &format!(
                "{}{}{}",
                p.highlight("- "),
                p.label("43;30", "SKIPPED"),
                p.warning(&format!(" '{}'", t.name))
            ),
        );
        return;
    }
    if let Some(e) = &t.error {
        line(out, 1, &p.highlight(&format!("- {}", t.name)));
        line(out, 2, &p.highlight(&format!("Error: {e}\n")));
        return;
    }
    line(out, 1, &p.danger(&format!("- {}\n", t.name)));
    for a in &t.asserts {
        if a.passed {
            continue;
        }
        let not = if a.not { " NOT" } else { "" };
        line(
            out,
            2,
            &format!(
                "{} {}",
                p.danger(&format!("- asserts[{}]{not} `{}` fail", a.index, a.kind)),
                p.faint(&format!("({file}:{})", a.line))
            ),
        );
        for info in &a.fail_info {
            line(out, 3, info);
        }
        line(out, 0, "");
    }
}

/// The human report of a run.
pub fn human(result: &RunResult, p: &Printer) -> String {
    let mut out = String::new();
    let mut charts = Counting::default();
    let mut suites = Counting::default();
    let mut tests = Counting::default();
    let mut snap_failed = 0;
    let mut snap_passed = 0;
    let mut snap_failed_suites = 0;
    for chart in &result.charts {
        if let Some(e) = &chart.error {
            line(&mut out, 0, &format!("\n### {} {e}\n", p.danger("Error: ")));
            charts.failed += 1;
            charts.errored += 1;
            continue;
        }
        line(
            &mut out,
            0,
            &format!(
                "\n### Chart [ {} ] {}\n",
                p.highlight(&chart.name),
                p.faint(&chart.path)
            ),
        );
        for s in &chart.suites {
            line(&mut out, 0, &suite_title(p, s));
            for w in &s.warnings {
                line(&mut out, 1, &p.warning(&format!("Warning: {w}")));
            }
            if let Some(e) = &s.error {
                line(&mut out, 1, &p.highlight("- Execution Error: "));
                line(&mut out, 2, &format!("{e}\n"));
            } else {
                for t in &s.tests {
                    print_test(&mut out, p, t, &s.file);
                }
            }
            if s.skipped {
                suites.skipped += 1;
            } else if s.passed && s.error.is_none() {
                suites.passed += 1;
            } else {
                suites.failed += 1;
                if s.error.is_some() {
                    suites.errored += 1;
                }
                if s.snapshot.failed > 0 {
                    snap_failed_suites += 1;
                }
            }
            snap_failed += s.snapshot.failed;
            snap_passed += s.snapshot.total - s.snapshot.failed;
            for t in &s.tests {
                if t.passed {
                    tests.passed += 1;
                } else if t.skipped {
                    tests.skipped += 1;
                } else {
                    tests.failed += 1;
                    if t.error.is_some() {
                        tests.errored += 1;
                    }
                }
            }
        }
        if chart.passed {
            charts.passed += 1;
        } else {
            charts.failed += 1;
        }
    }
    if snap_failed > 0 {
        line(
            &mut out,
            0,
            &format!(
                "\nSnapshot Summary: {} in {snap_failed_suites} test suite.{}",
                p.danger(&format!("{snap_failed} snapshot failed")),
                p.faint(" Check changes and use `-u` to update snapshot.")
            ),
        );
    }
    let snapshots = Counting {
        passed: snap_passed,
        failed: snap_failed,
        ..Counting::default()
    };
    line(
        &mut out,
        0,
        &format!(
            "\nCharts:      {}\nTest Suites: {}\nTests:       {}\nSnapshot:    {}\nTime:        {}\n",
            charts.sprint(p),
            suites.sprint(p),
            tests.sprint(p),
            snapshots.sprint(p),
            go_duration(result.elapsed)
        ),
    );
    out
}

/// The machine-readable formats of `-t/--output-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JUnit,
    XUnit,
    NUnit,
    Sonar,
}

impl Format {
    /// Case-insensitive, as helm-unittest reads it; unknown types write nothing there.
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "junit" => Some(Format::JUnit),
            "xunit" => Some(Format::XUnit),
            "nunit" => Some(Format::NUnit),
            "sonar" => Some(Format::Sonar),
            _ => None,
        }
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// helm-unittest's `Stringify` of a test (the text inside failure elements).
fn stringify(t: &TestResult) -> String {
    let mut out = String::new();
    if t.skipped {
        let _ = writeln!(out, "SKIPPED '{}' ", t.name);
    }
    if let Some(e) = &t.error {
        let _ = writeln!(out, "{e}");
    }
    for a in &t.asserts {
        let not = if a.not { " NOT" } else { "" };
        let _ = writeln!(out, "\t\t - asserts[{}]{not} `{}` fail ", a.index, a.kind);
        if a.skipped {
            let _ = writeln!(out, "\t\t\t {} ", a.skip_reason);
        } else {
            for info in &a.fail_info {
                let _ = writeln!(out, "\t\t\t {info} ");
            }
        }
    }
    out
}

/// NUnit's result word for a suite or a test.
fn nunit_result(passed: bool, skipped: bool) -> &'static str {
    if skipped {
        "Skipped"
    } else if !passed {
        "Failed"
    } else {
        "Success"
    }
}

/// The culture jibber_jabber reads from `LC_ALL` or `LANG` (`C.UTF-8` → `C`): the language, and
/// the IETF tag (`en_US` → `en`, `en-US`).
fn nunit_culture() -> (String, String) {
    let locale = ["LC_ALL", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    let tag = locale.split('.').next().unwrap_or("").to_string();
    let language = tag.split('_').next().unwrap_or("").to_string();
    (language, tag.replace('_', "-"))
}

/// The name of the user running us (Go's `user.Current().Username`), from /etc/passwd.
fn user_name() -> String {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    uid.and_then(|uid| {
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 2 && fields[2] == uid.to_string()).then(|| fields[0].to_string())
        })
    })
    .unwrap_or_default()
}

fn classname(suite: &str) -> &str {
    suite.rsplit('/').next().unwrap_or(suite)
}

fn suites_of(result: &RunResult) -> Vec<&SuiteResult> {
    result.charts.iter().flat_map(|c| c.suites.iter()).collect()
}

/// The report file's contents.
pub fn machine(result: &RunResult, format: Format) -> String {
    let now = chrono::Local::now();
    let suites = suites_of(result);
    let mut x = String::new();
    match format {
        Format::JUnit => {
            let host = hostname();
            x.push_str("<testsuites>\n");
            for (i, s) in suites.iter().enumerate() {
                let failures = s
                    .tests
                    .iter()
                    .filter(|t| !t.skipped && !t.passed && t.error.is_none())
                    .count();
                let errors = s
                    .tests
                    .iter()
                    .filter(|t| !t.skipped && !t.passed && t.error.is_some())
                    .count();
                let _ = writeln!(
                    x,
                    "\t<testsuite id=\"{i}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" package=\"\" time=\"{}\" name=\"{}\" timestamp=\"{}\" hostname=\"{}\">",
                    s.tests.len(),
                    secs(s.duration()),
                    esc(&s.name),
                    now.format("%Y-%m-%dT%H:%M:%S"),
                    esc(&host)
                );
                x.push_str("\t\t<properties>\n\t\t\t<property name=\"helm-unittest.version\" value=\"1.6\"></property>\n\t\t</properties>\n");
                for t in &s.tests {
                    let _ = write!(
                        x,
                        "\t\t<testcase classname=\"{}\" name=\"{}\" time=\"{}\">",
                        esc(classname(&s.name)),
                        esc(&t.name),
                        secs(t.duration)
                    );
                    let flat = stringify(t).replace('\n', ",").replace('\t', "");
                    if t.skipped {
                        let _ = write!(
                            x,
                            "\n\t\t\t<skipped message=\"{}\"></skipped>\n\t\t",
                            esc(&flat)
                        );
                    } else if !t.passed {
                        match &t.error {
                            Some(e) => {
                                let _ = write!(
                                    x,
                                    "\n\t\t\t<error message=\"Error\" type=\"\">{}</error>\n\t\t",
                                    esc(e)
                                );
                            }
                            None => {
                                let _ = write!(x, "\n\t\t\t<failure message=\"Failed\" type=\"\">{}</failure>\n\t\t", esc(&flat));
                            }
                        }
                    }
                    x.push_str("</testcase>\n");
                }
                x.push_str("\t</testsuite>\n");
            }
            x.push_str("</testsuites>\n");
        }
        Format::XUnit => {
            x.push_str("<assemblies>\n");
            for s in &suites {
                let (mut total, mut passed, mut failed, mut skipped, mut errors) = (0, 0, 0, 0, 0);
                let mut cases = String::new();
                for t in &s.tests {
                    total += 1;
                    let result = if t.skipped {
                        skipped += 1;
                        "Skip"
                    } else if !t.passed {
                        if t.error.is_some() {
                            errors += 1;
                        } else {
                            failed += 1;
                        }
                        "Fail"
                    } else {
                        passed += 1;
                        "Pass"
                    };
                    let _ = write!(
                        cases,
                        "\t\t\t<test name=\"{}\" type=\"{}\" method=\"Helm-Validation\" time=\"{}\" result=\"{result}\">",
                        esc(&t.name),
                        esc(classname(&s.name)),
                        secs(t.duration)
                    );
                    cases.push_str("\n\t\t\t\t<traits></traits>");
                    if t.skipped {
                        let _ =
                            write!(cases, "\n\t\t\t\t<reason>{}</reason>", cdata(&stringify(t)));
                    } else if !t.passed {
                        let kind = if t.error.is_some() {
                            "Helm-Validation-Error"
                        } else {
                            "Helm-Validation"
                        };
                        let _ = write!(
                            cases,
                            "\n\t\t\t\t<failure exception-type=\"{kind}\">\n\t\t\t\t\t<message>{}</message>\n\t\t\t\t\t<stack-trace>{}</stack-trace>\n\t\t\t\t</failure>",
                            cdata("Failed"),
                            cdata(&stringify(t))
                        );
                    }
                    cases.push_str("\n\t\t\t</test>\n");
                }
                if let Some(e) = &s.error {
                    let _ = write!(
                        x,
                        "\t<assembly name=\"{f}\" config-file=\"{f}\" test-framework=\"helm-unittest\" run-date=\"{}\" run-time=\"{}\" time=\"{}\" total=\"1\" passed=\"0\" failed=\"0\" skipped=\"0\" errors=\"1\">\n\t\t<environment>rudder</environment>\n\t\t<errors>\n\t\t\t<error type=\"Error\" name=\"Error\">\n\t\t\t\t<failure exception-type=\"Helm-Validation-Error\">\n\t\t\t\t\t<message>{}</message>\n\t\t\t\t\t<stack-trace>{}</stack-trace>\n\t\t\t\t</failure>\n\t\t\t</error>\n\t\t</errors>\n\t</assembly>\n",
                        now.format("%Y-%m-%d"),
                        now.format("%H:%M:%S"),
                        secs(s.duration()),
                        cdata("Error"),
                        cdata(e),
                        f = esc(&s.file)
                    );
                    continue;
                }
                let _ = write!(
                    x,
                    "\t<assembly name=\"{f}\" config-file=\"{f}\" test-framework=\"helm-unittest\" run-date=\"{}\" run-time=\"{}\" time=\"{}\" total=\"{total}\" passed=\"{passed}\" failed=\"{failed}\" skipped=\"{skipped}\" errors=\"{errors}\">\n\t\t<environment>rudder</environment>\n\t\t<errors></errors>\n\t\t<collection name=\"{}\" time=\"{}\" total=\"{total}\" passed=\"{passed}\" failed=\"{failed}\" skipped=\"{skipped}\">\n{cases}\t\t</collection>\n\t</assembly>\n",
                    now.format("%Y-%m-%d"),
                    now.format("%H:%M:%S"),
                    secs(s.duration()),
                    esc(&s.name),
                    secs(s.duration()),
                    f = esc(&s.file)
                );
            }
            x.push_str("</assemblies>\n");
        }
        Format::NUnit => {
            // helm-unittest's `nunit_report_xml.go`, as Go's xml.MarshalIndent writes it.
            let (mut total, mut errors, mut failures, mut skipped) = (0, 0, 0, 0);
            let mut body = String::new();
            for s in &suites {
                let _ = write!(
                    body,
                    "\t<test-suite type=\"TestFixture\" name=\"{}\" description=\"{}\" success=\"{}\" time=\"{}\" executed=\"{}\" asserts=\"\" result=\"{}\">",
                    esc(&s.name),
                    esc(&s.file),
                    s.passed,
                    secs(s.duration()),
                    s.error.is_none() && !s.skipped,
                    nunit_result(s.passed, s.skipped)
                );
                if let Some(e) = &s.error {
                    total += 1;
                    errors += 1;
                    let _ = write!(
                        body,
                        "\n\t\t<failure>\n\t\t\t<message>Error</message>\n\t\t\t<stack-trace>{}</stack-trace>\n\t\t</failure>\n\t</test-suite>\n",
                        esc(e)
                    );
                    continue;
                }
                if !s.tests.is_empty() {
                    body.push_str("\n\t\t<results>\n");
                }
                for t in &s.tests {
                    total += 1;
                    let _ = write!(
                        body,
                        "\t\t\t<test-case name=\"{}\" description=\"{}.{}\" success=\"{}\" time=\"{}\" executed=\"{}\" asserts=\"0\" result=\"{}\">",
                        esc(&t.name),
                        esc(classname(&s.name)),
                        esc(&t.name),
                        t.passed,
                        secs(t.duration),
                        t.error.is_none() && !t.skipped,
                        nunit_result(t.passed, t.skipped)
                    );
                    if t.skipped {
                        skipped += 1;
                        let _ = write!(
                            body,
                            "\n\t\t\t\t<reason>\n\t\t\t\t\t<message>{}</message>\n\t\t\t\t</reason>\n\t\t\t",
                            esc(&stringify(t))
                        );
                    } else if !t.passed {
                        if t.error.is_some() {
                            errors += 1;
                        } else {
                            failures += 1;
                        }
                        let _ = write!(
                            body,
                            "\n\t\t\t\t<failure>\n\t\t\t\t\t<message>Failed</message>\n\t\t\t\t\t<stack-trace>{}</stack-trace>\n\t\t\t\t</failure>\n\t\t\t",
                            esc(&stringify(t))
                        );
                    }
                    body.push_str("</test-case>\n");
                }
                if s.tests.is_empty() {
                    body.push_str("</test-suite>\n");
                } else {
                    body.push_str("\t\t</results>\n\t</test-suite>\n");
                }
            }
            let culture = nunit_culture();
            let _ = write!(
                x,
                "<test-results name=\"helm-unittest\" total=\"{total}\" errors=\"{errors}\" failures=\"{failures}\" inconclusive=\"0\" not-run=\"0\" ignored=\"0\" skipped=\"{skipped}\" invalid=\"0\" date=\"{}\" time=\"{}\">\n\t<environment nunit-version=\"2.5.8.0\" clr-version=\"unknown\" os-version=\"unknown\" platform=\"rudder\" cwd=\"{}\" machine-name=\"{}\" user=\"{}\" user-domain=\"\"></environment>\n\t<culture-info current-culture=\"{}\" current-uiculture=\"{}\"></culture-info>\n{body}</test-results>\n",
                now.format("%Y-%m-%d"),
                now.format("%H:%M:%S"),
                esc(&std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()),
                esc(std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .unwrap_or_default()
                    .trim()),
                esc(&user_name()),
                esc(&culture.0),
                esc(&culture.1)
            );
        }
        Format::Sonar => {
            x.push_str("<testExecutions version=\"1\">\n");
            for s in &suites {
                let _ = writeln!(x, "\t<file path=\"{}\">", esc(&s.file));
                for t in &s.tests {
                    let _ = write!(
                        x,
                        "\t\t<testCase name=\"{}\" duration=\"{}\">",
                        esc(&t.name),
                        t.duration.as_millis()
                    );
                    if t.skipped {
                        let _ = write!(
                            x,
                            "\n\t\t\t<skipped message=\"Skipped\">{}</skipped>\n\t\t",
                            cdata(&stringify(t))
                        );
                    } else if !t.passed {
                        match &t.error {
                            Some(e) => {
                                let _ = write!(
                                    x,
                                    "\n\t\t\t<error message=\"Error\">{}</error>\n\t\t",
                                    cdata(e)
                                );
                            }
                            None => {
                                let _ = write!(
                                    x,
                                    "\n\t\t\t<failure message=\"Failed\">{}</failure>\n\t\t",
                                    cdata(&stringify(t))
                                );
                            }
                        }
                    }
                    x.push_str("</testCase>\n");
                }
                x.push_str("\t</file>\n");
            }
            x.push_str("</testExecutions>\n");
        }
    }
    x
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::from_nanos(2_624_390)), "2.62439ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_secs(62)), "1m2s");
        assert_eq!(go_duration(Duration::from_micros(12)), "12µs");
    }

    #[test]
    fn counts_print_like_helm_unittest() {
        let p = Printer { color: false };
        let c = Counting {
            passed: 2,
            failed: 1,
            errored: 1,
            skipped: 0,
        };
        assert_eq!(c.sprint(&p), "1 failed, 1 errored, 2 passed, 3 total");
    }
}
