"""The Faust worker: the app, its agents, batch processing, reload, the window table, the demo."""
