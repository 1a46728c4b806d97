"""Isolation probes, run as cells inside the task kernel's container."""

import json

import pytest

pytestmark = pytest.mark.docker



def out(result):
    assert result.status == "ok", result.text()
    return result.text().strip()


def test_identity_capabilities_and_privileges(session):
    assert out(session.run("import os; print(os.getuid(), os.getgid())")) == "1000 1000"
    status = out(session.run("print(open('/proc/self/status').read())"))
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    assert fields["CapEff"].strip() == "0000000000000000"
    assert fields["NoNewPrivs"].strip() == "1"


def test_no_network(session):
    code = ("import socket, os\nprint(sorted(os.listdir('/sys/class/net')))\n"
            "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2); print('connected')\n"
            "except OSError as e:\n    print('blocked', type(e).__name__)")
    lines = out(session.run(code)).splitlines()
    assert lines[0] == "['lo']"
    assert lines[1].startswith("blocked")


def test_filesystem_permissions(session, workspace):
    code = ("import os\nres = {}\nfor p in ['/data/x', '/etc/x', '/opt/venv/x', '/workspace/x', '/tmp/x']:\n"
            "    try:\n        open(p, 'w').write('x'); res[p] = 'ok'\n"
            "    except OSError as e:\n        res[p] = e.strerror\n"
            "import json; print(json.dumps(res))")
    res = json.loads(out(session.run(code)))
    assert res["/data/x"] == res["/etc/x"] == res["/opt/venv/x"] == "Read-only file system"
    assert res["/workspace/x"] == res["/tmp/x"] == "ok"
    assert (workspace / "x").stat().st_uid == 1000
    assert "rules.md" in out(session.run("import os; print(os.listdir('/data'))"))


def test_hidden_data_never_in_the_kernel_container(session):
    code = ("import os\nfound = [os.path.join(r, f) for top in ['/data', '/workspace', '/tmp', '/hidden', '/grader', "
            "'/conn'] for r, _, fs in os.walk(top) for f in fs if f in ('splits.json', 'opponents.py', 'evaluate.py')]"
            "\nprint(found)")
    assert out(session.run(code)) == "[]"


def test_limits_from_the_task(session, task):
    code = ("def r(p):\n    try:\n        return open(p).read().strip()\n    except OSError:\n        return None\n"
            "print(r('/sys/fs/cgroup/memory/memory.limit_in_bytes') or r('/sys/fs/cgroup/memory.max'))\n"
            "print(r('/sys/fs/cgroup/pids/pids.max') or r('/sys/fs/cgroup/pids.max'))\n"
            "print(r('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') or r('/sys/fs/cgroup/cpu.max'))")
    memory, pids, cpu = out(session.run(code)).splitlines()
    assert int(memory) == task.resources.memory_bytes
    assert int(pids) == task.resources.pids
    assert cpu.split()[0] == str(int(task.resources.cpus * 100000))


def test_pids_limit_stops_a_fork_bomb(session, task):
    code = ("import threading, time\nn = 0\ntry:\n    for _ in range(1000):\n"
            "        threading.Thread(target=time.sleep, args=(3,), daemon=True).start(); n += 1\n"
            "except RuntimeError as e:\n    print('stopped', n, e)")
    text = out(session.run(code))
    assert text.startswith("stopped") and int(text.split()[1]) < task.resources.pids
    assert out(session.run("print('still alive')")) == "still alive"


def test_out_of_memory_is_reported_and_the_kernel_restarted(session, workspace):
    session.run("keep = 42\nopen('note.txt', 'w').write('kept')")
    result = session.run("b = bytearray(3 * 1024**3)")
    assert result.status == "died"
    assert "kernel died: out of memory (limit 1.0 GiB); it was restarted: variables are lost, files in " \
           "/workspace are kept" in result.text()
    assert session.run("keep").status == "error"  # NameError: the namespace is new
    assert out(session.run("print(open('note.txt').read())")) == "kept"


def test_usage_is_measured_per_cell(session):
    result = session.run("x = bytearray(200 * 1024**2); sum(range(3_000_000))")
    assert result.usage["mem_peak_mb"] >= 200
    assert result.usage["cpu_s"] > 0


def test_openmp_threads_wait_passively(session):
    """Spinning OpenMP threads (PyTorch's) would steal the cores of episodes running beside this one."""
    assert out(session.run("import os; print(os.environ.get('OMP_WAIT_POLICY'))")) == "PASSIVE"
