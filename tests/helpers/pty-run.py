"""Runs a command on a pseudo-terminal for tests/helpers/pseudo-terminal.ts.

argv: the command. PTY_STEPS: JSON [[prompt, keys], ...]; each time the screen shows the
next prompt, the keys are typed. PTY_TIMEOUT: seconds before the command is killed.
Prints one JSON object: what the terminal showed, the exit code (negative: the signal that
ended it), whether the test had to kill it, and whether echo was on when it ended.
"""
import json
import os
import pty
import select
import sys
import termios
import time

steps = json.loads(os.environ.get("PTY_STEPS", "[]"))
deadline = time.monotonic() + float(os.environ.get("PTY_TIMEOUT", "10"))
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

screen = b""
status = None
killed = False
while status is None:
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        killed = True
        status = os.waitpid(pid, 0)[1]
        break
    if select.select([fd], [], [], 0.05)[0]:
        try:
            screen += os.read(fd, 4096)
        except OSError:
            pass
    if steps and steps[0][0].encode() in screen:
        os.write(fd, steps.pop(0)[1].encode())
    done, finished = os.waitpid(pid, os.WNOHANG)
    if done:
        status = finished

# The pseudo-terminal's settings as the command left them: the master still holds them.
echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
print(json.dumps({
    "screen": screen.decode(errors="replace"),
    "code": os.waitstatus_to_exitcode(status),
    "killed": killed,
    "echo": echo,
}))
