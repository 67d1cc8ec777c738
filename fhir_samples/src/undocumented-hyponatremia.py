# ruff: noqa: E501
"""Inpatient: sodium 126 -> 129 -> 132 treated with a fluid restriction and a stopped thiazide; the providers
only ever restate the number."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: pain in the left lower abdomen for three days.

History of present illness: 80-year-old woman with hypertension treated with hydrochlorothiazide and with diet-controlled type 2 diabetes mellitus without complications, who presents with three days of left lower quadrant pain, temperatures to 37.8 C at home, poor appetite and loose stools. She has been drinking about 3 liters a day of water and tea because she read that it helps the bowels. Mild nausea, no vomiting, no blood in the stool, no urinary symptoms. Colonoscopy in 2022 showed sigmoid diverticulosis.

Past medical history: hypertension; type 2 diabetes mellitus without complications, diet-controlled (A1c 6.4% in 03/2026); sigmoid diverticulosis; osteoporosis; hypothyroidism on levothyroxine (TSH 2.1 in 01/2026).
Medications: hydrochlorothiazide 25 mg daily, losartan 50 mg daily, levothyroxine 75 mcg daily, alendronate 70 mg weekly, calcium with vitamin D.
Allergies: codeine (nausea).
Family history: sister with colon cancer at 72.
Social history: widowed, lives alone in an apartment, independent; daughter lives nearby. Never smoker, no alcohol.
Review of systems: positive for abdominal pain, poor appetite, loose stools and fatigue. Negative for headache, falls, chest pain, dyspnea and dysuria.

Physical exam: T 37.9 C, HR 88, BP 142/76, RR 16, SpO2 97% on room air. Alert, oriented to person, place and time, conversant. Moist mucous membranes, JVP not elevated, no edema. Abdomen soft, tender in the left lower quadrant with voluntary guarding, no rebound. Neurologic exam non-focal.

Data: WBC 11.8, hemoglobin 12.9, Na 126, K 3.7, chloride 92, bicarbonate 25, BUN 10, creatinine 0.8, glucose 118, lactate 1.0. Serum osmolality 262, urine sodium 38.
CT abdomen and pelvis with contrast: acute uncomplicated sigmoid diverticulitis with pericolic fat stranding; no abscess, no free air.

Assessment and plan:
1. Acute uncomplicated sigmoid diverticulitis - ceftriaxone and metronidazole IV, clear liquids, acetaminophen for pain, advance diet as tolerated.
2. Na 126 - hold hydrochlorothiazide; fluid restriction 1.2 L per day; no hypotonic fluids; BMP every 12 hours; neuro checks every 4 hours. Correct by no more than 8 mmol/L in 24 hours.
3. Hypertension - hold hydrochlorothiazide as above; continue losartan.
4. Type 2 diabetes mellitus without complications - diet-controlled; fingerstick glucose daily.
5. Hypothyroidism - continue levothyroxine.
6. VTE prophylaxis - enoxaparin 30 mg daily.
"""

PN = """\
PROGRESS NOTE - Hospital day 3

Subjective: Abdominal pain much better, 2/10. Tolerating a low-residue diet; one formed stool this morning. Following the fluid limit, though she says she is thirsty. No headache, no nausea.

Objective:
Vitals: T 37.0 C, HR 76, BP 134/72, RR 16, SpO2 98% on room air.
Exam: alert and conversant. Abdomen soft with mild left lower quadrant tenderness, no guarding.
Labs: Na 126 on admission, 129 yesterday, 132 today. K 3.9, creatinine 0.7, WBC 8.9.
Intake and output: intake 1.1 L, urine output 1.6 L over 24 hours.

Assessment and plan:
1. Acute uncomplicated sigmoid diverticulitis - improving; change to oral amoxicillin-clavulanate to complete 7 days of antibiotics.
2. Na 132 today, up from 126 - continue the 1.2 L fluid restriction; hydrochlorothiazide stopped for good.
3. Hypertension - start amlodipine 5 mg daily in place of hydrochlorothiazide; continue losartan.
4. Type 2 diabetes mellitus without complications - glucose 98 to 130 on diet alone.
5. Hypothyroidism - levothyroxine.
Disposition: home tomorrow if Na is stable; daughter will stay with her for the first few days.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 04/20/2026. Discharge date: 04/23/2026.

Discharge diagnoses:
1. Acute uncomplicated sigmoid diverticulitis
2. Hypertension
3. Type 2 diabetes mellitus without complications
4. Hypothyroidism
5. Osteoporosis

Hospital course: 80-year-old woman admitted with three days of left lower quadrant pain and low-grade temperatures. CT showed acute uncomplicated sigmoid diverticulitis without abscess or perforation. She improved on IV ceftriaxone and metronidazole, WBC fell from 11.8 to 8.9, and she was changed to oral amoxicillin-clavulanate on day 3. Na was 126 on admission and 132 at discharge after hydrochlorothiazide was stopped and fluids were restricted to 1.2 L a day. Amlodipine was started in place of hydrochlorothiazide. Blood sugars were controlled on diet alone.

Condition at discharge: stable, eating a low-residue diet, walking independently.

Discharge medications:
- amoxicillin-clavulanate 875/125 mg twice daily through 04/26 (new)
- amlodipine 5 mg daily (new)
- losartan 50 mg daily
- levothyroxine 75 mcg daily; alendronate 70 mg weekly; calcium with vitamin D
- STOP hydrochlorothiazide

Patient instructions: Eat a low-residue diet for one week, then slowly go back to a high-fiber diet. Limit all fluids to about 1.5 liters a day until your blood test next week, and do not drink large amounts of water or tea. Do not restart hydrochlorothiazide. Come back for fever, worsening belly pain, or vomiting that does not stop.

Follow-up: primary care in 1 week with a basic metabolic panel; colonoscopy 6 to 8 weeks after recovery (sister with colon cancer).
"""

SAMPLE = {
    "id": "undocumented-hyponatremia",
    "setting": "inpatient",
    "shows": 'Sodium Observations 126 -> 129 -> 132 with serum osmolality 262, treated by stopping hydrochlorothiazide and a 1.2 L fluid restriction; every provider note only restates "Na 126" / "Na 132" and no diagnosis is ever named. Diabetes is fully specified.',
    "patient": {
        "given": "Rosalind",
        "family": "Achterberg",
        "gender": "female",
        "birth_date": "1945-04-17",
        "mrn": "FS-1004",
    },
    "practitioners": {
        "attending": {"given": "Kwame", "family": "Lindgren-Patel", "suffix": "MD", "role": "attending"},
    },
    "attending": "attending",
    "period": ("2026-04-20T15:10:00Z", "2026-04-23T12:00:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-04-20T18:40:00Z",
            "text": HP,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-04-22T14:00:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-04-23T12:00:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Acute uncomplicated sigmoid diverticulitis",
            "icd10cm": "K57.32",
            "icd10cm_display": "Diverticulitis of large intestine without perforation or abscess without bleeding",
            "recorded": "2026-04-20",
            "asserter": "attending",
        },
        {
            "text": "Type 2 diabetes mellitus without complications",
            "snomed": "44054006",
            "snomed_display": "Diabetes mellitus type 2",
            "icd10cm": "E11.9",
            "recorded": "2026-04-20",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("2951-2", 126, "2026-04-20T15:45:00Z"),
        ("2692-2", 262, "2026-04-20T15:45:00Z"),
        ("2955-3", 38, "2026-04-20T17:00:00Z"),
        ("2823-3", 3.7, "2026-04-20T15:45:00Z"),
        ("2160-0", 0.8, "2026-04-20T15:45:00Z"),
        ("6690-2", 11.8, "2026-04-20T15:45:00Z"),
        ("2345-7", 118, "2026-04-20T15:45:00Z"),
        ("8310-5", 37.9, "2026-04-20T15:20:00Z"),
        ("2951-2", 129, "2026-04-21T06:00:00Z"),
        ("2951-2", 132, "2026-04-22T06:00:00Z"),
        ("6690-2", 8.9, "2026-04-22T06:00:00Z"),
    ],
    "expected": [{"kind": "undocumented", "topic": "hyponatremia"}],
    "not_expected": ["diabetes"],
}
