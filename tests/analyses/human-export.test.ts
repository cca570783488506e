/**
 * The tidy CSV export of human trials (issue 15, item 4): quoting, duplicates stored once, flagged
 * participants kept, a lossless round trip through the parser, errors that name the line and the
 * column, and the committed data dictionary equal to the generated one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HUMAN_TRIAL_COLUMNS, type HumanTrial } from '../../workers/contract/human-trials';
import { dataDictionary, humanTrialsCsv, parseCsvRecords, parseHumanTrialsCsv } from '../../workers/analyses/human/export';
import { trialTable } from '../../workers/analyses/human/table';

const base: HumanTrial = {
  participant: 'p01', trial: 0, stimulus_id: 'rc-0', condition: 'reverse-correlation', attention_check: false,
  manipulation: null, level: null, yaw_deg: 0, noise_trial: 0, target: 3, response: 3, confidence: 2, rt_ms: 812.5,
};

describe('human trials CSV', () => {
  it('quotes commas, quotes and line breaks, guards formulas, and round-trips every value', () => {
    const rows: HumanTrial[] = [
      { ...base, trial: 1, stimulus_id: 'face 3, "bright", yaw 30' },
      { ...base, trial: 2, stimulus_id: 'two\nlines' },
      { ...base, trial: 3, stimulus_id: '=HYPERLINK("x")' },
      { ...base, trial: 4, stimulus_id: ' padded ' },
      { ...base, trial: 5, condition: 'generalisation', manipulation: 'shape-morph', level: 1 / 3, noise_trial: null, yaw_deg: -30, response: -1, confidence: null, rt_ms: null },
    ];
    const csv = humanTrialsCsv(rows);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(HUMAN_TRIAL_COLUMNS.map((c) => c.name).join(','));
    expect(lines[0]).toBe('participant,trial,stimulus_id,condition,attention_check,manipulation,level,yaw_deg,noise_trial,target,response,confidence,rt_ms');
    expect(lines[1]).toBe('p01,1,"face 3, ""bright"", yaw 30",reverse-correlation,false,,,0,0,3,3,2,812.5');
    expect(csv).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(csv).toContain(',"two\nlines",');
    expect(csv).toContain(',generalisation,false,shape-morph,0.3333333333333333,-30,,3,-1,,\r\n');
    expect(csv.endsWith('\r\n')).toBe(true);
    const back = trialTable(parseHumanTrialsCsv(csv)).rows;
    expect(back).toEqual(rows);
  });

  it('stores a duplicated (participant, trial) once, the first submission, sorted by participant and trial', () => {
    const rows: HumanTrial[] = [
      { ...base, participant: 'p02', trial: 1, response: 1 },
      { ...base, participant: 'p01', trial: 7, response: 3 },
      { ...base, participant: 'p02', trial: 1, response: 2 }, // a resubmission
      { ...base, participant: 'p02', trial: 0 },
    ];
    const csv = humanTrialsCsv(rows);
    const records = parseCsvRecords(csv);
    expect(records.length).toBe(4);
    expect(records.slice(1).map((r) => `${r[0]}#${r[1]}#${r[10]}`)).toEqual(['p01#7#3', 'p02#0#3', 'p02#1#1']);
    expect(trialTable(rows).duplicates).toBe(1);
  });

  it('keeps flagged participants in the raw export', () => {
    const rows: HumanTrial[] = [
      { ...base, participant: 'good', trial: 0, attention_check: true, condition: 'learning', noise_trial: null },
      { ...base, participant: 'lazy', trial: 0, attention_check: true, condition: 'learning', noise_trial: null, response: 1 },
      { ...base, participant: 'lazy', trial: 1 },
    ];
    const table = trialTable(rows);
    expect(table.included).toEqual(['good']);
    const csv = humanTrialsCsv(table.rows);
    expect(parseCsvRecords(csv).filter((r) => r[0] === 'lazy').length).toBe(2);
  });

  it('errors name the line, the column and the allowed values', () => {
    const header = HUMAN_TRIAL_COLUMNS.map((c) => c.name).join(',');
    expect(() => parseHumanTrialsCsv('participant,trial\r\np,1\r\n')).toThrow(/lacks the column\(s\) stimulus_id, condition/);
    expect(() => parseHumanTrialsCsv(`${header}\r\np,1.5,s,learning,false,,,,,1,1,,\r\n`)).toThrow(/line 2, column trial: '1.5' must be an integer/);
    expect(() => parseHumanTrialsCsv(`${header}\r\np,1,s,learning,yes,,,,,1,1,,\r\n`)).toThrow(/line 2, column attention_check: 'yes' must be true or false/);
    expect(() => parseHumanTrialsCsv(`${header}\r\np,1,"s,learning\r\n`)).toThrow(/quoted field is not closed/);
    expect(() => trialTable(parseHumanTrialsCsv(`${header}\r\np,1,s,reverse-correlation,false,,,,,1,1,,\r\n`))).toThrow(/row 1: noise_trial: reverse-correlation trials need noise_trial/);
    expect(() => trialTable([{ ...base, confidence: 12 }])).toThrow(/row 1: confidence/);
  });

  it('the data dictionary documents every column, and docs/human-trials.md is the generated text', () => {
    const md = dataDictionary();
    for (const c of HUMAN_TRIAL_COLUMNS) expect(md).toContain(`| \`${c.name}\` | ${c.type} |`);
    const committed = readFileSync(path.join(__dirname, '../../docs/human-trials.md'), 'utf8');
    expect(committed).toBe(md);
  });
});
