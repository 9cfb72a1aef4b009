#!/usr/bin/env python3
"""test_check_exports.py SCRIPT LIB INCLUDE_DIR — scripts/check-exports fails
when it should: run against a copy of include/ from which lolpop/version.h is
removed (lp_version is then exported but undeclared) and to which a header
declaring a function the library lacks is added (declared but not exported).
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    script, lib, include = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        inc = os.path.join(tmp, "include")
        shutil.copytree(include, inc)
        os.remove(os.path.join(inc, "lolpop", "version.h"))
        with open(os.path.join(inc, "lolpop", "probe.h"), "w", encoding="utf-8") as f:
            f.write("/* probe */\nint lp_probe_missing(void);\n")
        run = subprocess.run([sys.executable, script, lib, inc], capture_output=True, text=True)
    out = run.stdout
    expected = [
        f"exported but declared in no header under {inc}: lp_version",
        f"declared in {inc} but not exported by {os.path.basename(lib)}: lp_probe_missing",
        "FAIL: 1 undeclared export(s), 1 missing export(s)",
    ]
    ok = run.returncode == 1 and all(e in out.splitlines() for e in expected)
    if not ok:
        print(f"check-exports exited {run.returncode}; expected 1 with:\n  " +
              "\n  ".join(expected) + f"\ngot:\n{out}{run.stderr}")
        return 1
    print("ok: check-exports names an undeclared export and a missing one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
