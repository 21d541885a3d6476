"""Pages of the early-warning app; each module owns its urlpatterns."""
