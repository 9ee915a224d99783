workers = 1
worker_class = "sync"
worker_connections = 30
pythonpath = "."
reload = True
reload_engine = "auto"
