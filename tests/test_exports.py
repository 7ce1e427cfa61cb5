"""Exports read back equal to the table, and cannot carry formulas."""
import io

import pandas as pd

from dashboard.output import exports


def test_csv_and_xlsx_read_back_equal_and_formulas_are_neutralised():
    frame = pd.DataFrame({"名称": ["台陈村", "=HYPERLINK(\"x\")", "@SUM(A1)", "-1+2"], "变化": [-3, 0, 5, -1],
                          "比例": [0.5, 1.0, None, 0.25]})
    for data, read in ((exports.csv_bytes(frame), lambda b: pd.read_csv(io.BytesIO(b), encoding="utf-8-sig")),
                       (exports.xlsx_bytes(frame, "表"), lambda b: pd.read_excel(io.BytesIO(b), engine="openpyxl"))):
        back = read(data)
        assert list(back.columns) == ["名称", "变化", "比例"]
        assert list(back["名称"]) == ["台陈村", "'=HYPERLINK(\"x\")", "'@SUM(A1)", "'-1+2"]
        assert list(back["变化"]) == [-3, 0, 5, -1]  # a negative change is still a number
        assert back["比例"].iloc[0] == 0.5 and pd.isna(back["比例"].iloc[2])
