"""Work off the request path: RQ jobs, the planner that schedules them, the clock."""
