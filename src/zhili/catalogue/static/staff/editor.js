// 智理 back office: add, remove and move rows of the item editor's tables.
// Every button is also a submit button the server understands (name="_op"),
// so the page works without scripts; with them, nothing is sent until 保存.
// Row ids are only names: the posted order of "<part>-row" is the order.
window.zhiliRows = function () {
  "use strict";
  return {
    add: function () {
      var body = this.$refs.body;
      var next = 0;
      body.querySelectorAll('input[type="hidden"][name$="-row"]').forEach(function (input) {
        next = Math.max(next, parseInt(input.value, 10) + 1);
      });
      var html = this.$refs.tpl.innerHTML.split("__row__").join(String(next));
      body.insertAdjacentHTML("beforeend", html);
      var field = body.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
      if (field) field.focus();
    },
    remove: function (button) {
      var row = button.closest("tr");
      var neighbour = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      if (neighbour) neighbour.querySelector(".op--remove").focus();
    },
    up: function (button) {
      var row = button.closest("tr");
      if (row.previousElementSibling) row.previousElementSibling.before(row);
      button.focus();
    },
    down: function (button) {
      var row = button.closest("tr");
      if (row.nextElementSibling) row.nextElementSibling.after(row);
      button.focus();
    },
  };
};
