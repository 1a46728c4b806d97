"""KernelSession behaviour: timeouts, restarts, deaths, stdin, output caps (Docker sandbox); the output sink
on scripted iopub messages (fast tier)."""

from mlgym_nb.kernel import MAX_OUTPUTS, MAX_STREAM_CHARS, CellResult, _OutputSink


def msg(kind, **content):
    return {"msg_type": kind, "content": content, "header": {"msg_type": kind}, "parent_header": {}}


def test_the_sink_merges_streams_caps_them_and_notes_what_it_cut():
    sink = _OutputSink()
    sink.add(msg("execute_input", execution_count=4, code="..."))
    for i in range(3):
        sink.add(msg("stream", name="stdout", text=f"line {i}\n"))
    sink.add(msg("stream", name="stderr", text="warn\n"))
    sink.add(msg("stream", name="stdout", text="x" * (MAX_STREAM_CHARS + 10)))
    sink.finish()
    kinds = [(o.output_type, o.get("name")) for o in sink.outputs]
    assert kinds == [("stream", "stdout"), ("stream", "stderr"), ("stream", "stdout"), ("stream", "stderr")]
    assert sink.outputs[0].text == "line 0\nline 1\nline 2\n" and sink.execution_count == 4
    assert sum(len(o.text) for o in sink.outputs[:3]) == MAX_STREAM_CHARS
    dropped = len("line 0\nline 1\nline 2\nwarn\n") + 10
    assert sink.notes == [f"output truncated: {dropped} characters of stream output were not recorded "
                          f"(cap {MAX_STREAM_CHARS})"]


def test_the_sink_keeps_errors_clears_and_caps_displays():
    sink = _OutputSink()
    sink.add(msg("display_data", data={"text/plain": "old"}, metadata={}))
    sink.add(msg("clear_output", wait=False))
    for i in range(MAX_OUTPUTS + 5):
        sink.add(msg("display_data", data={"text/plain": str(i)}, metadata={}))
    sink.add(msg("error", ename="StdinNotImplementedError", evalue="no input", traceback=["tb"]))
    sink.finish()
    assert len(sink.outputs) == MAX_OUTPUTS + 1 and sink.outputs[0].data["text/plain"] == "0"
    assert sink.outputs[-1].output_type == "error" and sink.error["ename"] == "StdinNotImplementedError"
    assert "input() is not available: cells cannot read from stdin" in sink.notes
    assert f"5 outputs were not recorded (cap {MAX_OUTPUTS} per cell)" in sink.notes


def test_the_agents_view_is_cut_in_the_middle_and_says_so():
    sink = _OutputSink()
    sink.add(msg("stream", name="stdout", text="".join(f"{i:05d}\n" for i in range(2000))))
    sink.add(msg("display_data", data={"image/png": "aGk=", "text/plain": "<Figure>"}, metadata={}))
    view = CellResult("ok", sink.outputs, notes=["a note"]).text(limit=300)
    assert view.startswith("00000\n") and "characters cut" in view and view.rstrip().endswith("[a note]")
    assert "[image/png image]" in view and len(view) < 500
    assert CellResult("ok").text() == "[no output]\n"



def test_state_persists_and_errors_are_results(session):
    assert session.run("x = 20").status == "ok"
    result = session.run("x + 1")
    assert result.status == "ok" and result.outputs[0]["data"]["text/plain"] == "21"
    result = session.run("1 / 0")
    assert result.status == "error" and result.error["ename"] == "ZeroDivisionError"
    assert "ZeroDivisionError: division by zero" in result.text()


def test_timeout_interrupts_and_keeps_variables(session):
    session.run("kept = 'yes'")
    result = session.run("import time\nwhile True:\n    time.sleep(0.05)", timeout=1.5)
    assert result.status == "timeout"
    assert "cell timed out after 1.5 s and was interrupted; variables are kept" in result.text()
    assert session.run("print(kept)").text().strip() == "yes"


def test_ignored_interrupt_leads_to_a_restart(session):
    session.run("lost = 1")
    code = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)"
    result = session.run(code, timeout=1.0)
    assert result.status == "timeout"
    assert "ignored the interrupt; the kernel was restarted: variables are lost" in result.text()
    assert session.run("lost").status == "error"
    assert session.run("print('fresh')").text().strip() == "fresh"


def test_killed_kernel_is_reported(session):
    result = session.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.status == "died"
    assert "kernel died: the kernel process exited with code 137" in result.text() or \
           "kernel died: killed by signal SIGKILL" in result.text()
    assert session.run("print(1)").status == "ok"


def test_input_gets_a_clear_error_not_a_hang(session):
    result = session.run("input('name? ')", timeout=10)
    assert result.status == "error"
    assert result.error["ename"] == "StdinNotImplementedError"
    assert "[input() is not available: cells cannot read from stdin]" in result.text()


def test_output_flood_is_capped(session):
    result = session.run("for i in range(300000):\n    print('line', i)")
    assert result.status == "ok"
    recorded = sum(len(o["text"]) for o in result.outputs if o["output_type"] == "stream")
    assert MAX_STREAM_CHARS <= recorded < MAX_STREAM_CHARS + 200
    view = result.text(limit=1000)
    assert len(view) < 1500
    assert "characters cut" in view and "characters of stream output were not recorded" in view
    assert "line 299999" not in view and "line 0" in view


def test_many_displays_are_capped(session):
    result = session.run("from IPython.display import display\nfor i in range(80):\n    display(i)")
    assert len(result.outputs) == 50
    assert "30 outputs were not recorded (cap 50 per cell)" in result.text()


def test_large_images_are_dropped_with_a_note(session):
    code = ("import os\nfrom IPython.display import Image, display\n"
            "display(Image(data=os.urandom(900_000), format='png'))\n"
            "display(Image(data=os.urandom(1000), format='png'))")
    result = session.run(code)
    big, small = result.outputs
    assert "image/png" not in big["data"] and big["data"]["text/plain"].startswith("[image/png image of")
    assert "image/png" in small["data"]
    assert "an image of 1200000 bytes was dropped (cap 1000000)" in result.text()


def test_docs_search_and_edit_magics_in_the_kernel(session):
    found = session.run("%docs HistGradientBoostingRegressor").text()
    assert found.startswith("sklearn.ensemble.HistGradientBoostingRegressor(loss='squared_error'")
    assert "rules.md" in session.run("%docs opponents cooperate defect").text()  # the task's own docs in /data
    session.run("open('s.py', 'w').write('a = 1\\nb = 2\\nc = 3\\n')")
    shown = session.run("%%edit s.py 2-2\nb = 20\nb2 = 21").text()
    assert "s.py: lines 2-3 now read (4 lines in all):" in shown and "   3| b2 = 21" in shown
    assert session.run("print(open('s.py').read())").text() == "a = 1\nb = 20\nb2 = 21\nc = 3\n\n"
