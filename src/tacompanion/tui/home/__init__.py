"""The home screen: the study at a glance and the way into every moment of the work."""
