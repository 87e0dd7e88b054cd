"""Rebuild postal_codes.csv from a checkout of github.com/yasserstudio/geoalgeria (never run by the application).

    git -C geoalgeria checkout 69b951b99a3bc3ec8e7e14e3741c4c027602ecc4
    python bawaba/geo/data/build_postal_codes.py geoalgeria > bawaba/geo/data/postal_codes.csv

One row per commune of GeoAlgeria's core dataset (packages/dataset, MIT): its wilaya (number and French name, as
GeoAlgeria numbers them), French and Arabic names, the one postal code GeoAlgeria gives the commune, and in
`poste_codes` every code (current `cp` and former `cp_old`) of the Algérie Poste offices that Algérie Poste's own
office list (baridimap, as captured in packages/poste) attaches to that commune, joined by GeoAlgeria's ONS commune
code. The loader fills a missing code only when the two agree (see bawaba.geo.postcodes).
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path


def main(root: str) -> None:
    base = Path(root) / "packages"
    wilayas = {f"{w['code']:02d}": w["name_fr"]
               for w in json.loads((base / "dataset/data/wilayas.json").read_text())["wilayas"]}
    offices = defaultdict(set)
    for office in json.loads((base / "poste/data/postoffices.json").read_text()):
        for code in (office.get("postal_code"), office.get("postal_code_old")):
            if code:
                offices[office["commune_code"]].add(code)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["wilaya", "wilaya_fr", "name_fr", "name_ar", "postal_code", "poste_codes"])
    with open(base / "dataset/data/csv/communes.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            wilaya = f"{int(row['wilaya_code']):02d}"
            ons = f"{int(row['code_commune']):04d}"
            out.writerow([wilaya, wilayas[wilaya], row["name_fr"], row["name_ar"], row["postal_code"],
                          " ".join(sorted(offices.get(ons, ())))])


if __name__ == "__main__":
    main(sys.argv[1])
