package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0, as code-scanning dashboards (GitHub, GitLab, Azure) take it.
// Code scanning refuses results without a location, so every result points
// at the policy key or baseline entry it is about; the file path is the one
// the report was given (relative to the working directory, which in CI is
// the repository root).

// SARIFSchema and SARIFVersion are the document's $schema and version.
const (
	SARIFSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	SARIFVersion = "2.1.0"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	DefaultConfiguration sarifConfig     `json:"defaultConfiguration"`
	Properties           sarifProperties `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifProperties struct {
	Tags []string `json:"tags,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

func writeSARIF(w io.Writer, r *Report) error {
	driver := sarifDriver{Name: "ladmin", Version: r.Tool, InformationURI: "https://github.com/ladmin/ladmin", Rules: []sarifRule{}}
	index := map[string]int{}
	for _, c := range r.Checks {
		if _, dup := index[c.ID]; dup {
			continue
		}
		index[c.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   c.ID,
			Name:                 ruleName(c.ID),
			ShortDescription:     sarifText{c.Description},
			FullDescription:      sarifText{c.Description},
			DefaultConfiguration: sarifConfig{Level: string(c.Severity)},
			Properties:           sarifProperties{Tags: []string{"security", "access-control", classOf(c.ID)}},
		})
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		i, ok := index[f.Rule]
		if !ok {
			// A finding of a check not listed: describe it rather than emit a dangling ruleId.
			i = len(driver.Rules)
			index[f.Rule] = i
			driver.Rules = append(driver.Rules, sarifRule{ID: f.Rule, Name: ruleName(f.Rule),
				ShortDescription: sarifText{f.Rule}, FullDescription: sarifText{f.Rule},
				DefaultConfiguration: sarifConfig{Level: string(f.Severity)}})
		}
		line := f.Location.Line
		if line < 1 {
			line = 1
		}
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: i,
			Level:     string(f.Severity),
			Message:   sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: fileURI(f.Location.File)},
				Region:           sarifRegion{StartLine: line},
			}}},
			PartialFingerprints: map[string]string{"ladminFinding/v1": fingerprint(f)},
		}
		if f.Key != nil {
			res.Properties = map[string]any{"key": f.Key}
			if f.Agent != nil {
				res.Properties["agent"] = f.Agent
			}
		} else if f.Agent != nil {
			res.Properties = map[string]any{"agent": f.Agent}
		} else if f.Role != nil {
			res.Properties = map[string]any{"role": f.Role}
		}
		results = append(results, res)
	}
	doc := sarifLog{Schema: SARIFSchema, Version: SARIFVersion, Runs: []sarifRun{{
		Tool:    sarifTool{Driver: driver},
		Results: results,
	}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// fileURI is a relative URI reference for a file path.
func fileURI(file string) string {
	if file == "" {
		return "policy"
	}
	return (&url.URL{Path: filepath.ToSlash(file)}).String()
}

// ruleName is the PascalCase name SARIF viewers show: owners.max -> OwnersMax.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r == '.' || r == '_' || r == '-':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	return b.String()
}

// fingerprint identifies a finding across runs (the same agent breaking the
// same rule), so a dashboard tracks one alert rather than a new one per run.
func fingerprint(f Finding) string {
	key := f.Rule
	switch {
	case f.Key != nil:
		key += "|key|" + f.Key.ID
	case f.Agent != nil:
		key += "|agent|" + f.Agent.ID + "|" + strings.ToLower(f.Agent.Email)
	case f.Role != nil:
		key += "|role|" + f.Role.ID + "|" + f.key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}
