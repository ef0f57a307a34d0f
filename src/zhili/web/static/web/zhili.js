// 智理 portal: the little that plain HTML cannot do.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // ?kiosk=1 turns a self-service terminal into kiosk mode until ?kiosk=0.
  var flag = new URLSearchParams(window.location.search).get("kiosk");
  if (flag === "1") {
    document.cookie = "zhili_kiosk=1; path=/; SameSite=Lax";
  } else if (flag === "0") {
    document.cookie = "zhili_kiosk=; path=/; max-age=0; SameSite=Lax";
  }
})();
