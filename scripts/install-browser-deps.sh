#!/usr/bin/env bash
# Installs Debian's chromium and a CJK font for the end-to-end browser tests, and poppler-utils
# (pdftotext / pdftoppm, to read the PDF reports back in the tests), once.
# Idempotent and quiet: does nothing when all of them are already there.
# Needs root (CI runs as root); without root or apt-get it only explains, and the
# browser tests then skip with a clear reason.
set -u
have_fonts() { dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed"; }
if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null 2>&1 \
    && { ! command -v dpkg-query >/dev/null 2>&1 || have_fonts; }; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser-deps: apt-get not found; browser tests will be skipped" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser-deps: not root; install 'chromium fonts-noto-cjk poppler-utils' to run browser tests" >&2
    exit 0
fi
echo "install-browser-deps: installing Debian's chromium, fonts-noto-cjk and poppler-utils (once)" >&2
export DEBIAN_FRONTEND=noninteractive
( apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk poppler-utils ) \
    >/tmp/fukugan-install-browser.log 2>&1 \
    || echo "install-browser-deps: apt-get failed (see /tmp/fukugan-install-browser.log); browser tests will be skipped" >&2
exit 0
