"""``builder validate``: check any SCORM, Common Cartridge or IMS content package, ours or anyone's.

archive.py reads a zip or folder safely (never extracting), detect.py tells the package kind,
manifest.py checks the manifest's structure and LMS pitfalls, resources.py validates the XML
resources it declares, check.py runs them all on one package, report.py prints the results.
"""
