// The map of /find: the rooms of the list as markers, one for each
// building. The list itself carries everything; without this script the
// page loses nothing but the map.
(function () {
  var el = document.getElementById('map');
  if (!el || !window.L) return;
  var items = document.querySelectorAll('.match[data-lat]');
  if (!items.length) return;
  var map = L.map(el, { scrollWheelZoom: false });
  var tiles = el.getAttribute('data-tiles');
  if (tiles) {
    L.tileLayer(tiles, {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    }).addTo(map);
  }
  // Rooms in one building share a point: one marker lists them all.
  var places = {};
  var order = [];
  items.forEach(function (li) {
    var key = li.getAttribute('data-lat') + ',' + li.getAttribute('data-lon');
    if (!places[key]) {
      places[key] = { ll: [parseFloat(li.getAttribute('data-lat')), parseFloat(li.getAttribute('data-lon'))], rooms: [] };
      order.push(key);
    }
    places[key].rooms.push(li);
  });
  var bounds = [];
  order.forEach(function (key) {
    var p = places[key];
    bounds.push(p.ll);
    var names = p.rooms.map(function (li) { return li.getAttribute('data-name'); });
    var icon = L.divIcon({ className: 'marker', iconSize: [24, 24] });
    var m = L.marker(p.ll, { icon: icon, title: names.join('; '), alt: names.join('; '), keyboard: true }).addTo(map);
    var box = document.createElement('ul');
    box.className = 'popup-rooms';
    p.rooms.forEach(function (li) {
      var item = document.createElement('li');
      var a = document.createElement('a');
      a.href = li.getAttribute('data-href');
      a.textContent = li.getAttribute('data-name');
      item.appendChild(a);
      box.appendChild(item);
    });
    m.bindPopup(box);
  });
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
})();
