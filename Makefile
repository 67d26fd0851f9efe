# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Patient text in other languages: screening/locale/<lang>/LC_MESSAGES/messages.po (kept in git), compiled to .mo
# (not kept) by `make translations`; `make catalog` extracts the English text and merges it into every .po.
LOCALE := screening/locale
PYBABEL := $(BIN)/python -m babel.messages.frontend
KEYWORDS := -k t -k translate -k Np_:1,2

$(VENV)/.dev: requirements-dev.txt requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

.PHONY: run test lint bench translations catalog
translations: $(VENV)/.runtime
	$(PYBABEL) compile -d $(LOCALE) --statistics

catalog: $(VENV)/.runtime
	$(PYBABEL) extract -F babel.cfg $(KEYWORDS) --no-location --sort-output --no-wrap -o $(LOCALE)/messages.pot .
	$(PYBABEL) update -i $(LOCALE)/messages.pot -d $(LOCALE) --ignore-obsolete --no-fuzzy-matching --no-wrap

run: $(VENV)/.runtime translations
	$(BIN)/python -m screening rules check
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev translations
	$(BIN)/ruff check .
	$(BIN)/python -m screening rules check
	$(BIN)/python -m pytest -q

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/python -m bench
