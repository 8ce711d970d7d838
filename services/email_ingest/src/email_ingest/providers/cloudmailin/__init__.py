"""CloudMailin: the Raw format (multipart ``message``) and the Normalized formats (JSON or
multipart), authenticated by Basic credentials."""
