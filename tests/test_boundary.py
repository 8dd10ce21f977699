"""The domain core never pulls in Streamlit (harlequin tests its UI boundary the same way)."""
from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import planning, planning.cli, planning.demo, planning.budget, planning.exports, planning.imports
import planning.kpis, planning.money, planning.store, planning.tandem
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'altair'))
print('loaded:', loaded)
assert 'streamlit' not in sys.modules, loaded
"""


def test_importing_planning_does_not_import_streamlit():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded: []"


def test_no_module_of_planning_mentions_streamlit():
    from pathlib import Path

    import planning

    root = Path(planning.__file__).parent
    sources = sorted(root.rglob("*.py"))
    assert len(sources) >= 15
    offenders = [str(p.relative_to(root)) for p in sources
                 if "import streamlit" in p.read_text(encoding="utf-8")
                 or "from streamlit" in p.read_text(encoding="utf-8")]
    assert offenders == []
