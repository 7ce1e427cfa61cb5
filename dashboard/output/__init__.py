"""Output: what a person sees or takes away, built from analysis results, still without Streamlit.

Owns what the pages show (`model`: the headline figures and the children's rows), the figures (`charts` for the
overview and the map, with its status classes and legends; `analysis_charts` for the analyst pages), server-side
images (`render`), the briefing slide and deck (`briefing`), table downloads (`exports`) and report templates
(`templates`), and the 数据导入 page without Streamlit (`import_model`: uploaded bytes to a checked plan through
the intake, the previews and the load history in words).
"""

MAY_IMPORT = ('i18n', 'domain', 'storage', 'intake', 'analysis')  # the stages this one may import; tests/test_layout.py holds every module to it
