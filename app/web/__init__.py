"""The web application's blueprints, one per concern."""
