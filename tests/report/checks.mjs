// What the browser tests share (tests/report/report_test.mjs, tests/workshop/workshop_test.mjs):
// named checks that print "ok" or "FAIL", their count and exit code, and the flags with which
// Debian's Chromium runs headless and offline here.

const counts = { passed: 0, failed: 0 };

/** Prints the check's outcome (with `detail` when it fails) and returns `ok`. */
export function check(name, ok, detail) {
  if (ok) {
    counts.passed += 1;
    console.log('ok   ' + name);
  } else {
    counts.failed += 1;
    console.log('FAIL ' + name + (detail ? ': ' + detail : ''));
  }
  return ok;
}

/** Prints the counts and ends the process: exit 0 when every check passed, else 1. */
export function finish() {
  console.log(counts.passed + ' passed, ' + counts.failed + ' failed');
  process.exit(counts.failed === 0 ? 0 : 1);
}

/** Checks so far, passed or failed. */
export const checksSoFar = () => counts.passed + counts.failed;

/** Headless, without the background connections this machine's closed network refuses. */
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
