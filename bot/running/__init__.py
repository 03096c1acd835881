"""Starting things: the supervisor of `make run`, Rasa and the action server, the one launcher."""
