package seed

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"commonground/geo"
)

// Place is a town or village: its centre, postcode district and a rough
// population used to weight how much data lands there.
type Place struct {
	Name       string
	Postcode   string // postcode district of the centre, e.g. "CB7"
	Lat, Lon   float64
	Population int
	// District is the local authority area ("Fenland", "South Cambridgeshire").
	District string
}

// Local authority areas of Cambridgeshire and Peterborough.
const (
	distCambridge  = "Cambridge"
	distSouthCambs = "South Cambridgeshire"
	distEastCambs  = "East Cambridgeshire"
	distFenland    = "Fenland"
	distHunts      = "Huntingdonshire"
	distPboro      = "Peterborough"
)

// Gazetteer returns the towns and villages of Cambridgeshire and
// Peterborough that the demo county is spread over, largest first. The
// coordinates are town centres to about four decimal places; populations
// are rounded. Each call returns a fresh slice.
func Gazetteer() []Place {
	return []Place{
		{"Peterborough", "PE1", 52.5695, -0.2405, 202000, distPboro},
		{"Cambridge", "CB1", 52.2053, 0.1218, 145700, distCambridge},
		{"St Neots", "PE19", 52.2280, -0.2700, 33000, distHunts},
		{"Wisbech", "PE13", 52.6660, 0.1590, 31500, distFenland},
		{"Huntingdon", "PE29", 52.3310, -0.1820, 25000, distHunts},
		{"March", "PE15", 52.5510, 0.0880, 22500, distFenland},
		{"Ely", "CB7", 52.3990, 0.2620, 20000, distEastCambs},
		{"St Ives", "PE27", 52.3340, -0.0760, 16500, distHunts},
		{"Whittlesey", "PE7", 52.5580, -0.1300, 16000, distFenland},
		{"Cambourne", "CB23", 52.2180, -0.0660, 13000, distSouthCambs},
		{"Werrington", "PE4", 52.6060, -0.2790, 12000, distPboro},
		{"Soham", "CB7", 52.3340, 0.3380, 11500, distEastCambs},
		{"Chatteris", "PE16", 52.4560, 0.0530, 11000, distFenland},
		{"Yaxley", "PE7", 52.5150, -0.2600, 9500, distHunts},
		{"Cherry Hinton", "CB1", 52.1860, 0.1760, 9000, distCambridge},
		{"Trumpington", "CB2", 52.1790, 0.1110, 9000, distCambridge},
		{"Littleport", "CB6", 52.4567, 0.3070, 9000, distEastCambs},
		{"Ramsey", "PE26", 52.4490, -0.1040, 8500, distHunts},
		{"Sawston", "CB22", 52.1248, 0.1712, 7500, distSouthCambs},
		{"Godmanchester", "PE29", 52.3185, -0.1745, 6800, distHunts},
		{"Cottenham", "CB24", 52.2866, 0.1257, 6500, distSouthCambs},
		{"Burwell", "CB25", 52.2751, 0.3270, 6500, distEastCambs},
		{"Sawtry", "PE28", 52.4396, -0.2840, 6500, distHunts},
		{"Brampton", "PE28", 52.3200, -0.2210, 5800, distHunts},
		{"Waterbeach", "CB25", 52.2665, 0.1910, 5500, distSouthCambs},
		{"Histon", "CB24", 52.2524, 0.1047, 5000, distSouthCambs},
		{"Eye", "PE6", 52.6080, -0.1910, 5000, distPboro},
		{"Linton", "CB21", 52.0967, 0.2776, 4800, distSouthCambs},
		{"Melbourn", "SG8", 52.0823, 0.0162, 4800, distSouthCambs},
		{"Milton", "CB24", 52.2426, 0.1626, 4700, distSouthCambs},
		{"Fulbourn", "CB21", 52.1828, 0.2200, 4700, distSouthCambs},
		{"Girton", "CB3", 52.2430, 0.0840, 4600, distSouthCambs},
		{"Impington", "CB24", 52.2460, 0.1120, 4500, distSouthCambs},
		{"Somersham", "PE28", 52.3820, -0.0010, 4500, distHunts},
		{"Great Shelford", "CB22", 52.1483, 0.1374, 4200, distSouthCambs},
		{"Willingham", "CB24", 52.3145, 0.0575, 4200, distSouthCambs},
		{"Sutton", "CB6", 52.3870, 0.1150, 4200, distEastCambs},
		{"Papworth Everard", "CB23", 52.2480, -0.1195, 4000, distSouthCambs},
		{"Bar Hill", "CB23", 52.2510, 0.0160, 4000, distSouthCambs},
		{"Northstowe", "CB24", 52.2800, 0.0430, 4000, distSouthCambs},
		{"Little Paxton", "PE19", 52.2500, -0.2620, 4000, distHunts},
		{"Warboys", "PE28", 52.4015, -0.0785, 4000, distHunts},
		{"Haddenham", "CB6", 52.3574, 0.1470, 3900, distEastCambs},
		{"Bassingbourn", "SG8", 52.0775, -0.0545, 3700, distSouthCambs},
		{"Gamlingay", "SG19", 52.1560, -0.1920, 3600, distSouthCambs},
		{"Fenstanton", "PE28", 52.2985, -0.0680, 3300, distHunts},
		{"Fordham", "CB7", 52.3110, 0.3920, 3100, distEastCambs},
		{"Over", "CB24", 52.3163, 0.0140, 3000, distSouthCambs},
		{"Buckden", "PE19", 52.2940, -0.2490, 3000, distHunts},
		{"Thorney", "PE6", 52.6200, -0.1080, 2900, distPboro},
		{"Isleham", "CB7", 52.3440, 0.4100, 2600, distEastCambs},
		{"Swavesey", "CB24", 52.3010, -0.0010, 2600, distSouthCambs},
		{"Comberton", "CB23", 52.1866, 0.0174, 2500, distSouthCambs},
		{"Stilton", "PE7", 52.4880, -0.2900, 2500, distHunts},
		{"Witchford", "CB6", 52.3863, 0.2060, 2300, distEastCambs},
		{"Doddington", "PE15", 52.4960, 0.0600, 2300, distFenland},
		{"Outwell", "PE14", 52.6070, 0.2350, 2200, distFenland},
		{"Bottisham", "CB25", 52.2216, 0.2592, 2100, distEastCambs},
		{"Manea", "PE15", 52.4966, 0.1780, 2000, distFenland},
		{"Duxford", "CB22", 52.0936, 0.1590, 1900, distSouthCambs},
		{"Harston", "CB22", 52.1380, 0.0810, 1800, distSouthCambs},
		{"Whittlesford", "CB22", 52.1120, 0.1497, 1700, distSouthCambs},
		{"Balsham", "CB21", 52.1320, 0.3170, 1600, distSouthCambs},
		{"Kimbolton", "PE28", 52.2960, -0.3880, 1500, distHunts},
	}
}

// County is the county the demo gazetteer covers.
const County = "Cambridgeshire"

// cities and towns are the gazetteer's places with city or town status;
// the rest are villages (or suburbs, which search treats as villages).
var (
	cities = map[string]bool{"Cambridge": true, "Peterborough": true, "Ely": true}
	towns  = map[string]bool{
		"St Neots": true, "Wisbech": true, "Huntingdon": true, "March": true, "St Ives": true,
		"Whittlesey": true, "Cambourne": true, "Soham": true, "Chatteris": true, "Ramsey": true,
		"Godmanchester": true, "Littleport": true,
	}
)

// placesCSV is the places of data/places.csv: Cambridgeshire's towns and
// villages and Great Britain's cities and towns, from GeoNames (see
// data/README.md for the source, its licence and how the rows were
// chosen).
//
//go:embed data/places.csv
var placesCSV string

// GazetteerPlaces returns every place the service knows by name: first
// the demo county's, each Home (the towns and villages of Gazetteer, then
// the other towns and villages of the county in data/places.csv), then the
// postcode districts of Gazetteer (see gazetteerDistricts), then the
// cities and towns of the rest of Great Britain. Each call returns a fresh
// slice.
func GazetteerPlaces() []geo.Place {
	gaz := Gazetteer()
	out := make([]geo.Place, 0, len(gaz)+2000)
	seen := map[string]bool{}
	for _, p := range gaz {
		kind := geo.KindVillage
		switch {
		case cities[p.Name]:
			kind = geo.KindCity
		case towns[p.Name]:
			kind = geo.KindTown
		}
		out = append(out, geo.Place{Name: p.Name, Kind: kind, Point: geo.MustPoint(p.Lat, p.Lon), County: County, Home: true})
		seen[geo.NormalisePlaceName(p.Name)] = true
	}
	listed := listedPlaces()
	for _, p := range listed {
		if p.County == County && !seen[geo.NormalisePlaceName(p.Name)] {
			p.Home = true
			out = append(out, p)
		}
	}
	out = append(out, gazetteerDistricts(gaz)...)
	for _, p := range listed {
		if p.County != County {
			out = append(out, p)
		}
	}
	return out
}

// gazetteerDistricts are the postcode districts of the places of gaz, each
// at the centre of the largest place in it (gaz is largest first): an
// approximation, good for "near CB7", until imported postcodes give a
// district the mean of its own postcodes.
func gazetteerDistricts(gaz []Place) []geo.Place {
	var out []geo.Place
	seen := map[string]bool{}
	for _, p := range gaz {
		if seen[p.Postcode] {
			continue
		}
		seen[p.Postcode] = true
		out = append(out, geo.Place{Name: p.Postcode, Kind: geo.KindPostcodeDistrict, Point: geo.MustPoint(p.Lat, p.Lon),
			County: County, Home: true})
	}
	return out
}

// listedPlaces parses placesCSV. The file is part of the program, so a
// row it cannot read is a bug and panics (a test reads every row).
func listedPlaces() []geo.Place {
	r := csv.NewReader(strings.NewReader(placesCSV))
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		panic(fmt.Sprintf("seed: data/places.csv: %v", err))
	}
	out := make([]geo.Place, 0, len(rows)-1)
	for i, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[2], 64)
		lon, err2 := strconv.ParseFloat(row[3], 64)
		pt, err3 := geo.NewPoint(lat, lon)
		kind := geo.PlaceKind(row[1])
		if err := errors.Join(err1, err2, err3); err != nil || row[0] == "" || row[4] == "" ||
			(kind != geo.KindCity && kind != geo.KindTown && kind != geo.KindVillage) {
			panic(fmt.Sprintf("seed: data/places.csv line %d: %q: %v", i+2, row, err))
		}
		out = append(out, geo.Place{Name: row[0], Kind: kind, Point: pt, County: row[4]})
	}
	return out
}

// PlaceIndex indexes GazetteerPlaces for search and lookup by name.
func PlaceIndex() *geo.Places { return geo.NewPlaces(GazetteerPlaces()) }

// gbCentres returns towns and cities across Great Britain used as centres
// for synthetic data at scale. Postcode is the district of the centre.
func gbCentres() []Place {
	return []Place{
		{"London", "WC2N", 51.5074, -0.1278, 8900000, "Greater London"},
		{"Birmingham", "B1", 52.4862, -1.8904, 1140000, "Birmingham"},
		{"Glasgow", "G1", 55.8642, -4.2518, 630000, "Glasgow"},
		{"Manchester", "M1", 53.4808, -2.2426, 550000, "Manchester"},
		{"Leeds", "LS1", 53.8008, -1.5491, 800000, "Leeds"},
		{"Liverpool", "L1", 53.4084, -2.9916, 490000, "Liverpool"},
		{"Sheffield", "S1", 53.3811, -1.4701, 580000, "Sheffield"},
		{"Bristol", "BS1", 51.4545, -2.5879, 470000, "Bristol"},
		{"Edinburgh", "EH1", 55.9533, -3.1883, 520000, "Edinburgh"},
		{"Cardiff", "CF10", 51.4816, -3.1791, 360000, "Cardiff"},
		{"Newcastle upon Tyne", "NE1", 54.9783, -1.6178, 300000, "Newcastle upon Tyne"},
		{"Nottingham", "NG1", 52.9548, -1.1581, 320000, "Nottingham"},
		{"Leicester", "LE1", 52.6369, -1.1398, 370000, "Leicester"},
		{"Coventry", "CV1", 52.4068, -1.5197, 345000, "Coventry"},
		{"Bradford", "BD1", 53.7960, -1.7594, 350000, "Bradford"},
		{"Stoke-on-Trent", "ST1", 53.0027, -2.1794, 260000, "Stoke-on-Trent"},
		{"Wolverhampton", "WV1", 52.5862, -2.1288, 260000, "Wolverhampton"},
		{"Plymouth", "PL1", 50.3755, -4.1427, 265000, "Plymouth"},
		{"Southampton", "SO14", 50.9097, -1.4044, 250000, "Southampton"},
		{"Portsmouth", "PO1", 50.8198, -1.0880, 210000, "Portsmouth"},
		{"Reading", "RG1", 51.4543, -0.9781, 175000, "Reading"},
		{"Derby", "DE1", 52.9225, -1.4746, 260000, "Derby"},
		{"Brighton", "BN1", 50.8225, -0.1372, 230000, "Brighton and Hove"},
		{"Hull", "HU1", 53.7457, -0.3367, 270000, "Hull"},
		{"Norwich", "NR1", 52.6309, 1.2974, 145000, "Norwich"},
		{"Ipswich", "IP1", 52.0567, 1.1482, 140000, "Ipswich"},
		{"Oxford", "OX1", 51.7520, -1.2577, 160000, "Oxford"},
		{"Milton Keynes", "MK9", 52.0406, -0.7594, 290000, "Milton Keynes"},
		{"Northampton", "NN1", 52.2405, -0.9027, 225000, "West Northamptonshire"},
		{"Luton", "LU1", 51.8787, -0.4200, 225000, "Luton"},
		{"Bedford", "MK40", 52.1360, -0.4667, 105000, "Bedford"},
		{"Colchester", "CO1", 51.8959, 0.8919, 130000, "Colchester"},
		{"Chelmsford", "CM1", 51.7356, 0.4685, 110000, "Chelmsford"},
		{"Exeter", "EX1", 50.7184, -3.5339, 130000, "Exeter"},
		{"Bath", "BA1", 51.3811, -2.3590, 95000, "Bath and North East Somerset"},
		{"Gloucester", "GL1", 51.8642, -2.2382, 130000, "Gloucester"},
		{"Cheltenham", "GL50", 51.8994, -2.0783, 115000, "Cheltenham"},
		{"Swindon", "SN1", 51.5558, -1.7797, 185000, "Swindon"},
		{"Bournemouth", "BH1", 50.7192, -1.8808, 190000, "Bournemouth, Christchurch and Poole"},
		{"York", "YO1", 53.9600, -1.0873, 150000, "York"},
		{"Lincoln", "LN1", 53.2307, -0.5406, 100000, "Lincoln"},
		{"Carlisle", "CA1", 54.8925, -2.9329, 75000, "Cumberland"},
		{"Lancaster", "LA1", 54.0466, -2.8007, 52000, "Lancaster"},
		{"Preston", "PR1", 53.7632, -2.7031, 145000, "Preston"},
		{"Middlesbrough", "TS1", 54.5742, -1.2350, 140000, "Middlesbrough"},
		{"Sunderland", "SR1", 54.9069, -1.3838, 170000, "Sunderland"},
		{"Durham", "DH1", 54.7761, -1.5733, 50000, "County Durham"},
		{"Canterbury", "CT1", 51.2802, 1.0789, 55000, "Canterbury"},
		{"Maidstone", "ME14", 51.2704, 0.5227, 110000, "Maidstone"},
		{"Worcester", "WR1", 52.1920, -2.2200, 100000, "Worcester"},
		{"Hereford", "HR1", 52.0565, -2.7160, 60000, "Herefordshire"},
		{"Shrewsbury", "SY1", 52.7073, -2.7553, 75000, "Shropshire"},
		{"Swansea", "SA1", 51.6214, -3.9436, 240000, "Swansea"},
		{"Newport", "NP20", 51.5842, -2.9977, 150000, "Newport"},
		{"Wrexham", "LL11", 53.0466, -2.9925, 65000, "Wrexham"},
		{"Bangor", "LL57", 53.2274, -4.1293, 18000, "Gwynedd"},
		{"Aberystwyth", "SY23", 52.4153, -4.0829, 19000, "Ceredigion"},
		{"Aberdeen", "AB10", 57.1497, -2.0943, 200000, "Aberdeen"},
		{"Dundee", "DD1", 56.4620, -2.9707, 150000, "Dundee"},
		{"Inverness", "IV1", 57.4778, -4.2247, 47000, "Highland"},
		{"Perth", "PH1", 56.3950, -3.4308, 47000, "Perth and Kinross"},
		{"Stirling", "FK8", 56.1165, -3.9369, 37000, "Stirling"},
		{"King's Lynn", "PE30", 52.7517, 0.3954, 43000, "King's Lynn and West Norfolk"},
		{"Bury St Edmunds", "IP33", 52.2429, 0.7117, 41000, "West Suffolk"},
	}
}
