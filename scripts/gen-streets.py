#!/usr/bin/env python3
"""Writes assets/demo/streets.json: the street directory of the demo town
Musterstadt (around 50.94 N, 6.96 E). Deterministic: run it again and the
file is the same. Two thirds of the streets list their house numbers with
coordinates along the street; the others only their centre."""
import json, math, random, sys

rnd = random.Random(311)
people = ["Goethe", "Schiller", "Beethoven", "Mozart", "Bach", "Heine", "Lessing", "Kant", "Humboldt", "Röntgen",
          "Einstein", "Dürer", "Luther", "Brahms", "Händel", "Grimm", "Böll", "Adenauer", "Kolping", "Müller",
          "Schumann", "Wagner", "Fröbel", "Gutenberg", "Zülpicher", "Bismarck", "Kästner", "Lortzing", "Sülz", "Uhland"]
things = ["Linden", "Eichen", "Birken", "Ahorn", "Buchen", "Kastanien", "Ulmen", "Rosen", "Tulpen", "Nelken",
          "Mühlen", "Kirch", "Schul", "Bahnhof", "Markt", "Post", "Garten", "Wiesen", "Brunnen", "Burg",
          "Schloss", "Hafen", "Rhein", "Wald", "Feld", "Berg", "Tal", "Bach", "Weiher", "Grüner"]
suffixes = ["straße", "weg", "gasse", "allee", "ring", "platz"]
plain = ["Hauptstraße", "Am Weiher", "An der Mühle", "Auf dem Hügel", "Im Süßfeld", "Große Straße", "Kleine Gasse",
         "Hohe Straße", "Alter Markt", "Neumarkt", "Domstraße", "Kölner Straße", "Düsseldorfer Straße", "Bonner Straße",
         "Aachener Straße", "Zur Außenmühle", "Straße des 17. Juni", "Äußere Ringstraße", "Ölbergweg", "Überseering"]
districts = ["Altstadt", "Neustadt", "Südstadt", "Nordfeld", "Weidenpesch", "Müngersdorf", "Ehrenfeld", "Sülz"]

names = list(plain)
for base in people + things:
    for suf in rnd.sample(suffixes, 5 if base in people else 4):
        sep = "-" if base in people and suf in ("straße", "platz", "allee") and rnd.random() < 0.3 else ""
        names.append(base + sep + (suf.capitalize() if sep else suf))
seen, streets = set(), []
for name in names:
    if name in seen:
        continue
    seen.add(name)
    # A point within 3.5 km of the centre, and a direction and length.
    r, a = 3500 * math.sqrt(rnd.random()), rnd.random() * 2 * math.pi
    dlat = r * math.cos(a) / 111320
    dlong = r * math.sin(a) / (111320 * math.cos(math.radians(50.94)))
    lat, long = 50.94 + dlat, 6.96 + dlong
    length, heading = rnd.uniform(120, 900), rnd.random() * math.pi
    street = {"id": "st%03d" % (len(streets) + 1), "name": name, "district": rnd.choice(districts),
              "postcode": "5%04d" % rnd.randint(600, 999), "lat": round(lat, 6), "long": round(long, 6)}
    if len(streets) % 3 != 2:
        n = rnd.randint(6, 48)
        houses = {}
        for i in range(1, n + 1):
            t = (i - 1) / max(n - 1, 1) - 0.5
            side = 8 if i % 2 else -8  # odd numbers on one side
            x = t * length * math.cos(heading) - side * math.sin(heading)
            y = t * length * math.sin(heading) + side * math.cos(heading)
            houses[str(i)] = [round(lat + y / 111320, 6), round(long + x / (111320 * math.cos(math.radians(lat))), 6)]
        if rnd.random() < 0.2:
            houses["%da" % rnd.randint(1, n)] = houses["1"]
        street["houses"] = houses
    streets.append(street)

json.dump({"town": "Musterstadt", "streets": streets}, sys.stdout, ensure_ascii=False, separators=(",", ":"))
sys.stdout.write("\n")
