package aaf

import (
	"io"
	"strings"
	"testing"
)

func TestSplitter(t *testing.T) {
	type cut struct {
		kind    requestKind
		line    int
		problem cutProblem
		text    string // prefix of the record's text
	}
	tests := []struct {
		name  string
		input string
		want  []cut
	}{
		{
			name:  "three kinds",
			input: "<ficAlimMENESR>\n<addRequest><a/></addRequest>\n<modifyRequest/>x</modifyRequest>\n\n<deleteRequest>\n</deleteRequest >\n</ficAlimMENESR>",
			want: []cut{
				{requestAdd, 2, cutOK, "<addRequest><a/></addRequest>"},
				{requestModify, 3, cutOK, "<modifyRequest/>x</modifyRequest>"},
				{requestDelete, 5, cutOK, "<deleteRequest>\n</deleteRequest >"},
			},
		},
		{
			name:  "comment, CDATA and DOCTYPE hide requests",
			input: "<!DOCTYPE f [<!ENTITY e '<addRequest>'> <!-- ' ] > -->]>\n<!-- <addRequest> -->\n<addRequest><![CDATA[</addRequest>]]></addRequest>",
			want:  []cut{{requestAdd, 3, cutOK, "<addRequest><![CDATA[</addRequest>]]></addRequest>"}},
		},
		{
			name:  "CRLF line ends",
			input: "<ficAlimMENESR>\r\n\r\n<deleteRequest></deleteRequest>\r\n",
			want:  []cut{{requestDelete, 3, cutOK, "<deleteRequest></deleteRequest>"}},
		},
		{
			name:  "request inside a request",
			input: "<addRequest>\n<attr>\n<modifyRequest>\n</modifyRequest>",
			want: []cut{
				{requestAdd, 1, cutInterrupted, "<addRequest>\n<attr>\n"},
				{requestModify, 3, cutOK, "<modifyRequest>\n</modifyRequest>"},
			},
		},
		{
			name:  "end tag of another kind",
			input: "<addRequest></modifyRequest></addRequest>",
			want:  []cut{{requestAdd, 1, cutOK, "<addRequest></modifyRequest></addRequest>"}},
		},
		{
			name:  "truncated",
			input: "<ficAlimMENESR>\n<addRequest>\n<attr name=",
			want:  []cut{{requestAdd, 2, cutTruncated, "<addRequest>\n<attr name="}},
		},
		{
			name:  "truncated end tag",
			input: "<addRequest></addRequest",
			want:  []cut{{requestAdd, 1, cutTruncated, "<addRequest></addRequest"}},
		},
		{
			name:  "similar names are not requests",
			input: "<addRequests><addRequest2/></addRequests>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := newSplitter(strings.NewReader(tt.input))
			var got []cut
			for {
				rec, err := sp.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("next: %v", err)
				}
				got = append(got, cut{rec.kind, rec.line, rec.problem, string(rec.data)})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d records %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("record %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSplitter_TooLargeRecord(t *testing.T) {
	input := "<addRequest>" + strings.Repeat("x\n", maxRecordSize) + "</addRequest>\n<deleteRequest></deleteRequest>"
	sp := newSplitter(strings.NewReader(input))
	first, err := sp.next()
	if err != nil {
		t.Fatal(err)
	}
	if first.problem != cutTooLarge || first.data != nil {
		t.Errorf("problem = %v, data %d bytes; want cutTooLarge and no data", first.problem, len(first.data))
	}
	second, err := sp.next()
	if err != nil {
		t.Fatal(err)
	}
	if second.kind != requestDelete || second.line != maxRecordSize+2 || second.problem != cutOK {
		t.Errorf("next record = kind %v line %d problem %v; want delete at line %d", second.kind, second.line, second.problem, maxRecordSize+2)
	}
}

func TestRepairTags(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    string
		repairs []tagRepair
	}{
		{
			name:  "well-formed",
			input: `<modifyRequest><modifications><modification name="a"><value/></modification></modifications></modifyRequest>`,
			want:  `<modifyRequest><modifications><modification name="a"><value/></modification></modifications></modifyRequest>`,
		},
		{
			name:    "attr closes modification",
			input:   "<m><modification name=\"a>b\">\n<value>x</value></attr>\n<modification><value/></attr></m>",
			want:    "<m><modification name=\"a>b\">\n<value>x</value></modification>\n<modification><value/></modification></m>",
			repairs: []tagRepair{{11, "attr", "modification"}, {12, "attr", "modification"}},
		},
		{
			name:    "modification closes attr",
			input:   "<attributes><attr name=\"a\"><value>x</value></modification></attributes>",
			want:    "<attributes><attr name=\"a\"><value>x</value></attr></attributes>",
			repairs: []tagRepair{{10, "modification", "attr"}},
		},
		{
			name:  "other mismatches are left alone",
			input: "<attr><value>x</valeur></attr><!-- </attr> -->",
			want:  "<attr><value>x</valeur></attr><!-- </attr> -->",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, repairs := repairTags([]byte(tt.input), 10)
			if string(got) != tt.want {
				t.Errorf("repaired = %s, want %s", got, tt.want)
			}
			if len(repairs) != len(tt.repairs) {
				t.Fatalf("repairs = %+v, want %+v", repairs, tt.repairs)
			}
			for i := range repairs {
				if repairs[i] != tt.repairs[i] {
					t.Errorf("repair %d = %+v, want %+v", i, repairs[i], tt.repairs[i])
				}
			}
		})
	}
}

func TestDecodeRepaired(t *testing.T) {
	const head = "<addRequest>\n<identifier><id>42</id></identifier>\n<attributes>\n"
	const tail = "</attributes>\n</addRequest>"
	tests := []struct {
		name      string
		attrs     string
		wantValue string // value of sn; empty when rejected
		wantNote  string
		wantError string
	}{
		{"well-formed", `<attr name="sn"><value> A &amp; B </value></attr>`, "A & B", "", ""},
		{"bare ampersand", `<attr name="sn"><value>A & B</value></attr>`, "A & B", "ligne 4 : XML mal formé", ""},
		{"control character", "<attr name=\"sn\"><value>A\x01B</value></attr>", "AB", "mode tolérant", ""},
		{"undeclared entity", `<attr name="sn"><value>&inconnue;</value></attr>`, "", "", "ligne 4 : XML mal formé (invalid character entity &inconnue;)"},
		{"broken start tag", `<attr name="sn" <value>A</value></attr>`, "", "", "ligne 4 : XML mal formé"},
		{"value closed by attr", `<attr name="sn"><value>A</attr>`, "A", "mode tolérant", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, notes, err := decodeRepaired(requestAdd, []byte(head+tt.attrs+"\n"+tail), 1)
			if tt.wantError != "" {
				if err == nil {
					t.Fatalf("got record %+v, want error", rec)
				}
				if msg := rejectMessage(err); !strings.Contains(msg, tt.wantError) {
					t.Errorf("reject message = %q, want it to contain %q", msg, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if got := rec.first("sn"); got != tt.wantValue {
				t.Errorf("sn = %q, want %q", got, tt.wantValue)
			}
			if rec.id != "42" {
				t.Errorf("id = %q, want 42", rec.id)
			}
			if tt.wantNote == "" && len(notes) != 0 || tt.wantNote != "" && (len(notes) != 1 || !strings.Contains(notes[0], tt.wantNote)) {
				t.Errorf("notes = %q, want one containing %q", notes, tt.wantNote)
			}
		})
	}
}

func TestDetectCharset(t *testing.T) {
	tests := []struct {
		prolog  string
		label   string
		decoded bool
		bom     int
	}{
		{`<ficAlimMENESR>`, "UTF-8", false, 0},
		{`<?xml version="1.0"?><f/>`, "UTF-8", false, 0},
		{`<?xml version="1.0" encoding="UTF-8"?>`, "UTF-8", false, 0},
		{"\xEF\xBB\xBF<?xml version=\"1.0\"?>", "UTF-8", false, 3},
		{`<?xml version='1.0' encoding='iso-8859-15' standalone='yes'?>`, "iso-8859-15", true, 0},
		{`<?xml version="1.0" encoding="ISO-8859-1"?>`, "ISO-8859-1", true, 0},
		{`  <?xml version="1.0" encoding = "Windows-1252" ?>`, "Windows-1252", true, 0},
		{"\xFF\xFE<\x00?\x00", "UTF-16", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.prolog, func(t *testing.T) {
			cs, err := detectCharset([]byte(tt.prolog))
			if err != nil {
				t.Fatalf("detectCharset: %v", err)
			}
			if cs.label != tt.label || (cs.enc != nil) != tt.decoded || cs.bom != tt.bom {
				t.Errorf("charset = %q, decoded %v, bom %d; want %q, %v, %d", cs.label, cs.enc != nil, cs.bom, tt.label, tt.decoded, tt.bom)
			}
		})
	}
	if _, err := detectCharset([]byte(`<?xml version="1.0" encoding="Shift_JIS"?>`)); err == nil {
		t.Error("detectCharset(Shift_JIS) returned no error")
	}
}

func TestUTF16File(t *testing.T) {
	text := "<ficAlimMENESR><addRequest><identifier><id>1</id></identifier><attributes><attr name=\"sn\"><value>Zoë</value></attr></attributes></addRequest></ficAlimMENESR>"
	data := []byte{0xFF, 0xFE}
	for _, r := range text {
		data = append(data, byte(r), byte(r>>8))
	}
	rec := &recorder{}
	if err := readStream(t.Context(), "utf16.xml", typeRelative, strings.NewReader(string(data)), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.persons) != 1 || rec.persons[0].LastName != "Zoë" {
		t.Errorf("persons = %+v, want one named Zoë", rec.persons)
	}
}
