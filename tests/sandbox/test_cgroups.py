"""Per-cell usage parsed from fixture cgroup folders of both layouts (no Docker needed)."""

import pytest

from mlgym_nb.sandbox.cgroups import UsageMeter, parse_cpu_stat

CID = "abc123"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_v1_layout(tmp_path):
    write(tmp_path / "cpuacct" / "docker" / CID / "cpuacct.usage", "2000000000\n")  # nanoseconds
    peak = tmp_path / "memory" / "docker" / CID / "memory.max_usage_in_bytes"
    write(peak, str(300 << 20))
    meter = UsageMeter(CID, root=tmp_path)
    write(tmp_path / "cpuacct" / "docker" / CID / "cpuacct.usage", "3500000000\n")
    usage = meter.read()
    assert usage == {"cpu_s": 1.5, "mem_peak_mb": 300.0, "mem_scope": "cell", "source": "cgroup v1"}
    assert peak.read_text() == "0"  # reset, so the next cell's peak starts afresh


@pytest.mark.parametrize("scope", ["system.slice/docker-{id}.scope", "docker/{id}"])
def test_v2_layouts(tmp_path, scope):
    base = tmp_path / scope.format(id=CID)
    write(base / "cpu.stat", "usage_usec 1000000\nuser_usec 800000\nsystem_usec 200000\n")  # microseconds
    write(base / "memory.peak", str(512 << 20))
    meter = UsageMeter(CID, root=tmp_path)
    write(base / "cpu.stat", "usage_usec 1250000\nuser_usec 1000000\nsystem_usec 250000\n")
    usage = meter.read()
    assert usage["cpu_s"] == 0.25 and usage["mem_peak_mb"] == 512.0 and usage["source"] == "cgroup v2"
    meter.close()


def test_v2_without_memory_peak_uses_current(tmp_path):
    base = tmp_path / "docker" / CID
    write(base / "cpu.stat", "usage_usec 0\n")
    write(base / "memory.current", str(64 << 20))
    assert UsageMeter(CID, root=tmp_path).read() == {"cpu_s": 0.0, "mem_peak_mb": 64.0, "mem_scope": "current",
                                                     "source": "cgroup v2"}


def test_neither_layout_is_recorded_as_unavailable(tmp_path):
    assert UsageMeter(CID, root=tmp_path).read() == {"source": "unavailable"}


def test_cpu_stat_parsing():
    assert parse_cpu_stat("user_usec 5\nusage_usec 42\n") == 42
    with pytest.raises(ValueError):
        parse_cpu_stat("user_usec 5\n")
