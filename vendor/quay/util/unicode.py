def remove_unicode(value):
    return value.decode("ascii", "ignore")
