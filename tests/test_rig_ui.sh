#!/bin/sh
# The rig's terminal UI (`gainstage run -r RIG`) driven through a
# pseudo-terminal on a dummy jackd of our own. The bytes it writes are
# replayed through a small xterm emulator (below) into rows of text, and
# the test asserts on those rows: strip names, meters, clip lights and the
# status bar render; keys act and the values shown change (monitor A/B and
# dim, phantom, input select, mute, a preamp's gain stepped and typed, a
# bad value's reason, views, a headphone send, learn, clearing the clip
# light of a strip driven into clipping, takes with --record); `?` shows
# the help; the UI survives tiny terminals and resizes; `q` exits 0 with
# the terminal's modes restored and the messages held back from standard
# error written after it. A second run stops by itself after --seconds, a
# last one exits 1 (terminal restored) when the server goes away under it.
# Argument: gainstage.
set -u
gs=$1
dir=$(mktemp -d)
jackd_pid=
cleanup() {
  [ -n "$jackd_pid" ] && kill "$jackd_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

export JACK_DEFAULT_SERVER="gs-ui-test" # fixed: see jackd.sh
. "$(dirname "$0")/jackd.sh"
start_jackd 256 || { echo "FAIL: jackd did not start"; exit 1; }

cat >"$dir/rig.txt" <<'EOF'
rig name=uitest
strip gtr inputs=2
  preamp voicing=transparent gain=10
strip vox
  preamp input=mic gain=30 phantom=on
strip hot
  preamp input=mic gain=70
  gain db=60
  gain db=60
phones 1 level=-3dB
mix 1 gtr level=-6dB
EOF

mkdir "$dir/takes"
python3 - "$gs" "$dir/rig.txt" "$jackd_pid" "$dir/takes" <<'PYEOF'
import codecs, fcntl, os, re, select, signal, struct, subprocess, sys, termios, time

gs, rig, jackd_pid, takes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
failures = []


def check(ok, what, screen=None):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
        if screen is not None:
            print("---- screen ----\n" + "\n".join(r.rstrip() for r in screen) + "\n----")


class Term:
    """Enough of xterm to turn what curses writes back into rows of text."""

    def __init__(self, rows, cols):
        self.resize(rows, cols)
        self.alt_entered = self.alt_left = False

    def resize(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.top, self.bot = 0, rows - 1
        self.wrap = False
        self.saved = (0, 0)
        self.last = " "
        self.graphics = False

    def lines(self):
        return ["".join(r) for r in self.grid]

    def scroll(self, n, top=None):
        top = self.top if top is None else top
        for _ in range(n):
            del self.grid[top]
            self.grid.insert(self.bot, [" "] * self.cols)

    def rscroll(self, n, top=None):
        top = self.top if top is None else top
        for _ in range(n):
            del self.grid[self.bot]
            self.grid.insert(top, [" "] * self.cols)

    def index(self):
        if self.y == self.bot:
            self.scroll(1)
        elif self.y < self.rows - 1:
            self.y += 1

    def put(self, ch):
        if self.graphics:
            ch = {"q": "-", "x": "|", "l": "+", "k": "+", "m": "+", "j": "+", "n": "+"}.get(ch, ch)
        if self.wrap:
            self.x, self.wrap = 0, False
            self.index()
        self.grid[self.y][self.x] = ch
        self.last = ch
        if self.x == self.cols - 1:
            self.wrap = True
        else:
            self.x += 1

    def clamp(self):
        self.y = max(0, min(self.rows - 1, self.y))
        self.x = max(0, min(self.cols - 1, self.x))
        self.wrap = False

    def erase(self, y, x0, x1):
        for x in range(max(0, x0), min(self.cols, x1)):
            self.grid[y][x] = " "

    def csi(self, private, params, final):
        p = [int(v) if v.isdigit() else 0 for v in params.split(";")] if params else []
        n = p[0] if p and p[0] > 0 else 1
        if private:
            if final in "hl" and "1049" in params.split(";"):
                if final == "h":
                    self.alt_entered = True
                    self.grid = [[" "] * self.cols for _ in range(self.rows)]
                else:
                    self.alt_left = True
            return
        if final in "Hf":
            self.y = (p[0] if len(p) > 0 and p[0] else 1) - 1
            self.x = (p[1] if len(p) > 1 and p[1] else 1) - 1
            self.clamp()
        elif final == "A":
            self.y -= n
            self.clamp()
        elif final in "Be":
            self.y += n
            self.clamp()
        elif final in "Ca":
            self.x += n
            self.clamp()
        elif final == "D":
            self.x -= n
            self.clamp()
        elif final in "G`":
            self.x = n - 1
            self.clamp()
        elif final == "d":
            self.y = n - 1
            self.clamp()
        elif final == "J":
            mode = p[0] if p else 0
            rows = {0: range(self.y + 1, self.rows), 1: range(0, self.y), 2: range(self.rows)}
            if mode == 0:
                self.erase(self.y, self.x, self.cols)
            elif mode == 1:
                self.erase(self.y, 0, self.x + 1)
            for y in rows.get(mode, []):
                self.erase(y, 0, self.cols)
        elif final == "K":
            mode = p[0] if p else 0
            a, b = {0: (self.x, self.cols), 1: (0, self.x + 1), 2: (0, self.cols)}[mode]
            self.erase(self.y, a, b)
        elif final == "X":
            self.erase(self.y, self.x, self.x + n)
        elif final == "@":
            row = self.grid[self.y]
            row[self.x:] = ([" "] * n + row[self.x:])[: self.cols - self.x]
        elif final == "P":
            row = self.grid[self.y]
            row[self.x:] = (row[self.x + n:] + [" "] * n)[: self.cols - self.x]
        elif final == "L":
            self.rscroll(n, self.y)
        elif final == "M":
            self.scroll(n, self.y)
        elif final == "S":
            self.scroll(n)
        elif final == "T":
            self.rscroll(n)
        elif final == "b":
            for _ in range(n):
                self.put(self.last)
        elif final == "r":
            self.top = (p[0] if len(p) > 0 and p[0] else 1) - 1
            self.bot = (p[1] if len(p) > 1 and p[1] else self.rows) - 1
            self.y = self.x = 0
        elif final == "s":
            self.saved = (self.y, self.x)
        elif final == "u":
            self.y, self.x = self.saved

    def feed(self, text):
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            i += 1
            if c == "\x1b" and i < n:
                k = text[i]
                i += 1
                if k == "[":
                    j = i
                    while j < n and not ("@" <= text[j] <= "~"):
                        j += 1
                    if j >= n:
                        return
                    body = text[i:j]
                    private = body[:1] in ("?", ">", "=")
                    self.csi(private, body.lstrip("?>=").rstrip(" !\"$'"), text[j])
                    i = j + 1
                elif k in "]P_^":  # OSC, DCS ...: skip to BEL or ST
                    while i < n and text[i] != "\x07" and text[i:i + 2] != "\x1b\\":
                        i += 1
                    i += 1 if i < n and text[i] == "\x07" else 2
                elif k in "()*+":
                    self.graphics = i < n and text[i] == "0" and k == "("
                    i += 1
                elif k == "7":
                    self.saved = (self.y, self.x)
                elif k == "8":
                    self.y, self.x = self.saved
                elif k == "D":
                    self.index()
                elif k == "E":
                    self.x = 0
                    self.index()
                elif k == "M":
                    if self.y == self.top:
                        self.rscroll(1)
                    elif self.y > 0:
                        self.y -= 1
            elif c == "\r":
                self.x, self.wrap = 0, False
            elif c in "\n\x0b\x0c":
                self.wrap = False
                self.index()
            elif c == "\b":
                self.x, self.wrap = max(0, self.x - 1), False
            elif c == "\t":
                self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
            elif c >= " ":
                self.put(c)


class Rig:
    """gainstage run under a pseudo-terminal of rows x cols."""

    def __init__(self, args, rows=40, cols=132):
        self.master, self.slave = os.openpty()
        self.set_size(rows, cols)
        env = dict(os.environ, TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.proc = subprocess.Popen(
            [gs, "run", "-r", rig] + args, stdin=self.slave, stdout=self.slave,
            stderr=self.slave, env=env, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        self.raw = b""
        self.term = Term(rows, cols)
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def set_size(self, rows, cols):
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def resize(self, rows, cols):
        self.pump(0.2)
        self.term.resize(rows, cols)
        self.set_size(rows, cols)  # the kernel sends SIGWINCH

    def pump(self, seconds):
        end = time.time() + seconds
        while True:
            left = end - time.time()
            r, _, _ = select.select([self.master], [], [], max(0.0, left))
            if r:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                self.raw += data
                self.term.feed(self.decoder.decode(data))
            elif left <= 0:
                return

    def key(self, keys, settle=0.3):
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)
        self.pump(settle)

    def screen(self):
        return self.term.lines()

    def wait_for(self, pattern, seconds=5.0):
        end = time.time() + seconds
        while time.time() < end:
            self.pump(0.1)
            if re.search(pattern, "\n".join(self.screen()), re.M):
                return True
        return False

    def row(self, pattern):
        """The first row matching pattern, or ''."""
        for r in self.screen():
            if re.search(pattern, r):
                return r
        return ""

    def wait_exit(self, seconds):
        end = time.time() + seconds
        while time.time() < end and self.proc.poll() is None:
            self.pump(0.1)
        self.pump(0.3)
        return self.proc.poll()

    def restored(self):
        lflag = termios.tcgetattr(self.slave)[3]
        return bool(lflag & termios.ICANON) and bool(lflag & termios.ECHO)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


# keypad(TRUE) puts xterm in application mode: the arrows are ESC O x
DOWN, HOME, PGUP, ENTER, ESC = "\x1bOB", "\x1bOH", "\x1b[5~", "\r", "\x1b"


def cursor_to(ui, name, tries=30):
    """Move the cursor (Home, Down ...) to the controls-list row of name."""
    ui.key(HOME, 0.15)
    for _ in range(tries):
        if re.search(r"^ > " + re.escape(name) + r" ", ui.row(r"^ > ")):
            return True
        ui.key(DOWN, 0.15)
    return False


def value_of(ui, name):
    m = re.search(r"^ [ >] " + re.escape(name) + r" +(\S+(?: \S+)?)", ui.row(r"^ [ >] " + re.escape(name) + " "))
    return m.group(1).strip() if m else None


# ------------------------------------------------------------ first run
ui = Rig(["--seconds", "60"])
ok = ui.wait_for(r"^>1 gtr ", 10) and ui.wait_for(r"monitor: A")
check(ok, "renders within 10 s", ui.screen())
s = "\n".join(ui.screen())
check(ui.term.alt_entered, "enters the alternate screen")
for what, pattern in [("rig name", r"gainstage  uitest"), ("strip gtr", r"^>1 gtr "),
                      ("strip vox", r"^ 2 vox "), ("meter scale", r"STRIP +-60 .*-20 .* 0 +PEAK"),
                      ("gtr meter and clip light", r"^>1 gtr +\[ *\] +-\S+ +-\S+ clip"),
                      ("monitor A row playing", r"^\* +monA .*playing"), ("monitor B row", r"^ +monB "),
                      ("phones row", r"^ +phones1 .*-3\.0 dB"),
                      ("status bar", r"48000 Hz  period 256  latency \d+ smp \([\d.]+ ms\)  xruns \d+  DSP [\d.]+%  rec off"),
                      ("gtr input select", r"^>1 gtr .* in1/2"), ("vox phantom", r"^ 2 vox .*\+48V"),
                      ("strip controls listed", r"gtr: controls"), ("level control", r"^ > level +-?\d"),
                      ("a clipping strip's full meter and lit clip light", r"^ 3 hot +\[#[#=]+\] +0\.0 +-?[\d.]+ CLIP")]:
    check(re.search(pattern, s, re.M) is not None, "shows " + what, None if failures else ui.screen())

ui.key("s")
check(ui.wait_for(r"monitor: B"), "s switches the monitor to B", ui.screen())
check(re.search(r"^\* +monB .*playing", "\n".join(ui.screen()), re.M) is not None, "monB plays", ui.screen())
ui.key("a")
check(ui.wait_for(r"monitor: A"), "a switches back to A", ui.screen())
ui.key("b")
check(ui.wait_for(r"monitor: B"), "b selects B", ui.screen())

ui.key("\t")
check(ui.wait_for(r"vox: controls") and ui.wait_for(r"^>2 vox"), "Tab selects vox", ui.screen())
check(cursor_to(ui, "preamp.phantom") and value_of(ui, "preamp.phantom") == "on",
      "vox.preamp.phantom listed, on", ui.screen())
ui.key("p")
check(ui.wait_for(r"^ > preamp\.phantom +off") and "+48V" not in ui.row(r"^>2 vox"),
      "p switches phantom off", ui.screen())

check(cursor_to(ui, "preamp.gain") and value_of(ui, "preamp.gain") == "30 dB", "cursor on gain, 30 dB",
      ui.screen())
ui.key("+")
check(ui.wait_for(r"^ > preamp\.gain +31 dB"), "+ steps 1 dB", ui.screen())
ui.key(PGUP)
check(ui.wait_for(r"^ > preamp\.gain +41 dB"), "PgUp steps 10 dB", ui.screen())
ui.key("-")
check(ui.wait_for(r"^ > preamp\.gain +40 dB"), "- steps down 1 dB", ui.screen())
ui.key(ENTER)
ui.key("12dB")
check(ui.wait_for(r"vox\.preamp\.gain = 12dB"), "Enter prompts for a value", ui.screen())
ui.key(ENTER)
check(ui.wait_for(r"^ > preamp\.gain +12 dB"), "a typed value is set", ui.screen())
ui.key(ENTER)
ui.key("zz" + ENTER)
check(ui.wait_for(r"vox\.preamp\.gain: 'zz': \S") and value_of(ui, "preamp.gain") == "12 dB",
      "a bad value is refused with a reason", ui.screen())
ui.key(ENTER)
ui.key("99" + ESC, 0.5)
check(value_of(ui, "preamp.gain") == "12 dB" and "= 99" not in "\n".join(ui.screen()),
      "Esc cancels typing", ui.screen())

ui.key("m")
check(ui.wait_for(r"^>2 vox .*MUTE"), "m mutes the strip", ui.screen())
ui.key("h")
check(ui.wait_for(r"^ monitor  \(") and ui.wait_for(r"^ [ >] select +b "), "h: monitor view, select b",
      ui.screen())
ui.key("d")
check(ui.wait_for(r"monitor: B .* dim ON"), "d dims the monitor", ui.screen())
ui.key("h")
check(ui.wait_for(r"phones 1 mix") and value_of(ui, "gtr.level") == "-6 dB"
      and value_of(ui, "level") == "-3 dB", "h: phones 1 view with its sends", ui.screen())
ui.key("1")
check(ui.wait_for(r"^ > gtr\.level "), "1 puts the cursor on gtr's send", ui.screen())
ui.key("-")
check(ui.wait_for(r"^ > gtr\.level +-7 dB"), "the send steps down", ui.screen())
ui.key("h")
check(ui.wait_for(r"gtr: controls"), "h cycles back to the strip", ui.screen())

ui.key("3")
check(cursor_to(ui, "gain1.db") and value_of(ui, "gain1.db") == "60 dB", "3 selects hot, its gain1.db",
      ui.screen())
ui.key("l")
check(ui.wait_for(r"learn: move a controller for hot\.gain1\.db"), "l starts MIDI learn", ui.screen())
ui.key(ENTER)
ui.key("-120" + ENTER)
check(ui.wait_for(r"^ > gain1\.db +-120 dB"), "hot's gain set to -120 dB", ui.screen())
check(re.search(r"CLIP", ui.row(r"^>3 hot ")) is not None, "the clip light stays lit", ui.screen())
ui.key("c")
check(ui.wait_for(r"^>3 hot +\[.*\] .* clip ") and ui.wait_for(r"clip lights cleared"),
      "c clears the clip lights", ui.screen())
ui.key("1")
ui.key("i")
check(ui.wait_for(r"^>1 gtr .* in2/2"), "i selects gtr's next input", ui.screen())
ui.key("r")
check(ui.wait_for(r"not recording: start with --record"), "r without --record says why", ui.screen())

ui.key("?")
check(ui.wait_for(r"gainstage run: keys") and ui.wait_for(r"q +quit"), "? shows the help", ui.screen())
ui.key(" ")
check(not re.search(r"gainstage run: keys", "\n".join(ui.screen())), "any key closes the help",
      ui.screen())

for rows, cols in [(8, 30), (3, 12), (1, 5), (24, 80)]:
    ui.resize(rows, cols)
    ui.pump(0.5)
    check(ui.proc.poll() is None, "survives a %dx%d terminal" % (rows, cols))
ui.key("\x0c", 0.5)
check(ui.wait_for(r"^ 2 vox ") and ui.wait_for(r"xruns"), "redraws at 24x80", ui.screen())
check(all(len(r) == 80 for r in ui.screen()), "no line wider than the terminal")

mark = len(ui.raw)
ui.key("q")
rc = ui.wait_exit(5)
check(rc == 0, "q exits 0 (got %s)" % rc)
check(ui.term.alt_left, "leaves the alternate screen")
check(ui.restored(), "terminal modes restored (ICANON, ECHO)")
tail = ui.raw[mark:]
cut = tail.rfind(b"\x1b[?1049l")
check(cut >= 0 and b"not recording: start with --record" in tail[cut:],
      "messages held back from stderr are written after the screen is restored")
ui.close()

# ------------------------------------------------- --seconds stops it
ui = Rig(["--seconds", "2"])
t0 = time.time()
rc = ui.wait_exit(10)
check(rc == 0 and time.time() - t0 < 8, "--seconds 2 stops by itself, exit 0 (got %s)" % rc)
check(ui.restored() and ui.term.alt_left, "terminal restored after --seconds")
ui.close()

# ------------------------------------------------------------- takes
ui = Rig(["--record", takes, "--seconds", "60"])
check(ui.wait_for(r"^ REC [\d.]+ s take-001\.w64 +48000 Hz", 10), "--record: the first take runs",
      ui.screen())
first = re.search(r"REC ([\d.]+) s", ui.row(r"REC "))
ui.pump(1.0)
later = re.search(r"REC ([\d.]+) s", ui.row(r"REC "))
check(first and later and float(later.group(1)) > float(first.group(1)), "the take's seconds count",
      ui.screen())
ui.key("r")
check(ui.wait_for(r"take saved: ") and ui.wait_for(r"rec: r starts a take"), "r stops the take",
      ui.screen())
ui.key("r")
check(ui.wait_for(r"REC [\d.]+ s "), "r starts another", ui.screen())
ui.key("q")
rc = ui.wait_exit(5)
check(rc == 0 and len(os.listdir(takes)) == 2, "two takes on disk (%s), exit %s" % (os.listdir(takes), rc))
ui.close()

# ------------------------------------------------ Ctrl-C / SIGTERM
for sig in (signal.SIGINT, signal.SIGTERM):
  ui = Rig(["--seconds", "60"])
  check(ui.wait_for(r"^>1 gtr ", 10), "renders (signal %d)" % sig)
  os.kill(ui.proc.pid, sig)
  rc = ui.wait_exit(5)
  check(rc == 0 and ui.restored() and ui.term.alt_left,
        "signal %d stops the UI cleanly (exit %s)" % (sig, rc))
  ui.close()

# ------------------------------------------- the server going away
ui = Rig(["--seconds", "60"])
check(ui.wait_for(r"^>1 gtr ", 10), "renders again")
os.kill(jackd_pid, signal.SIGTERM)
rc = ui.wait_exit(15)
check(rc == 1, "exits 1 when the server goes away (got %s)" % rc)
check(ui.restored() and ui.term.alt_left, "terminal restored after the server went away")
cut = ui.raw.rfind(b"\x1b[?1049l")
check(cut >= 0 and b"went away" in ui.raw[cut:], "says the server went away, after the screen")
ui.close()

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
PYEOF
