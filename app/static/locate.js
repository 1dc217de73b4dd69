// "Use my location": the one thing on the sign-up page that needs JavaScript.
// It fills in latitude and longitude; the server does the rest.
(function () {
  "use strict";
  const button = document.getElementById("locate");
  const status = document.getElementById("locate-status");
  const latitude = document.getElementById("latitude");
  const longitude = document.getElementById("longitude");
  const place = document.getElementById("place");
  if (!button || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;
  let located = false;

  button.addEventListener("click", function () {
    status.textContent = "Finding you…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        // Two decimals is about a kilometre: plenty for a pass, kinder to privacy.
        latitude.value = position.coords.latitude.toFixed(2);
        longitude.value = position.coords.longitude.toFixed(2);
        place.value = "";
        located = true;
        status.textContent = "Got it: " + latitude.value + ", " + longitude.value + ".";
      },
      function () {
        status.textContent = "Couldn't get your location. Type your town instead.";
      },
      { timeout: 15000, maximumAge: 600000 }
    );
  });

  // Typing a town means the coordinates found by an earlier click no longer apply.
  place.addEventListener("input", function () {
    if (located) {
      latitude.value = "";
      longitude.value = "";
      status.textContent = "";
      located = false;
    }
  });
})();
