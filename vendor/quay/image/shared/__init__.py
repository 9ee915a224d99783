class ManifestException(Exception):
    pass
