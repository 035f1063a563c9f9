.PHONY: screenshots

# PNGs of the sample site (home and a paper page, 1280 px and 390 px, light and dark) in screenshots/
screenshots:
	python scripts/screenshots.py
