"""Agent replies out: reply.requested.v1 -> Slack chat.postMessage or the widget's sockets."""
