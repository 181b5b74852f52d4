// The map of /find: the rooms of the list as markers. The list itself
// carries everything; without this script the page loses nothing but
// the map.
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
  var bounds = [];
  items.forEach(function (li, i) {
    var ll = [parseFloat(li.getAttribute('data-lat')), parseFloat(li.getAttribute('data-lon'))];
    bounds.push(ll);
    var icon = L.divIcon({ className: 'marker', iconSize: [14, 14] });
    var m = L.marker(ll, { icon: icon, title: (i + 1) + '. ' + li.getAttribute('data-name'), keyboard: true }).addTo(map);
    var a = document.createElement('a');
    a.href = li.getAttribute('data-href');
    a.textContent = li.getAttribute('data-name');
    m.bindPopup(a);
  });
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
})();
