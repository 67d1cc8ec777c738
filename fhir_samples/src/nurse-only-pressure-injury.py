# ruff: noqa: E501
"""Inpatient: a wound care nurse stages a sacral pressure injury; the providers only write "wound care per
nursing"."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: diarrhea for five days.

History of present illness: 84-year-old woman with Parkinson disease (diagnosed 2015, walks with a walker and needs help to rise from bed), hypertension and type 2 diabetes mellitus without complications, who was treated with amoxicillin-clavulanate for a dental abscess three weeks ago and now presents with five days of six to eight watery stools a day, lower abdominal cramping and reduced oral intake. Her husband, who is her caregiver, reports that she has spent most of the last four days in bed or in her recliner and has been incontinent of stool at night. No blood in the stool, no vomiting, no fever at home.

Past medical history: Parkinson disease; hypertension; type 2 diabetes mellitus without complications (A1c 6.6% in 05/2026); osteoporosis with a vertebral compression fracture in 2022.
Medications: carbidopa-levodopa 25/100 mg, 1.5 tablets four times daily; metformin 500 mg twice daily; amlodipine 5 mg daily; alendronate 70 mg weekly; vitamin D.
Allergies: no known drug allergies.
Family history: sister with Parkinson disease; brother with hypertension.
Social history: lives with her husband in a one-story house; never smoker; no alcohol.
Review of systems: positive for diarrhea, cramping, fatigue and poor appetite. Negative for fever, chest pain, dyspnea, dysuria, vomiting and black stools.

Physical exam: T 37.4 C, HR 92, BP 112/64 (usually in the 130s), RR 16, SpO2 97% on room air. Dry mucous membranes. Abdomen soft, mildly distended, diffusely tender without rebound, hyperactive bowel sounds. Resting tremor of the right hand, cogwheel rigidity at both wrists. Skin: dressing over the sacrum placed by nursing on arrival; wound care nurse consult requested.

Data: WBC 10.2, hemoglobin 12.6, platelets 240, sodium 139, potassium 3.6, bicarbonate 21, creatinine 0.8 (baseline 0.7), glucose 132, lactate 1.0. Stool Clostridioides difficile PCR positive and toxin positive.

Assessment and plan:
1. Clostridioides difficile colitis, initial episode, non-severe (WBC 10.2, creatinine 0.8) - oral vancomycin 125 mg four times daily for 10 days; contact precautions; lactated Ringer's 1 L then 100 mL/h; encourage oral fluids.
2. Parkinson disease - continue carbidopa-levodopa on her home schedule (time-critical medication); physical and occupational therapy evaluation.
3. Type 2 diabetes mellitus without complications - hold metformin while she has diarrhea; fingerstick glucose before meals and at bedtime with correction-scale insulin lispro.
4. Hypertension - pressure soft today; hold amlodipine.
5. Wound care per nursing; wound care nurse consult placed.
6. VTE prophylaxis - enoxaparin 40 mg daily.
"""

WOUND = """\
WOUND, OSTOMY AND CONTINENCE NURSING CONSULTATION

Reason for consult: skin breakdown over the sacrum found on the admission skin assessment.

Seen with the primary nurse. Patient alert; turns with the assistance of one person; incontinent of loose stool.

Assessment: Stage 3 pressure injury, sacrum, present on admission (noted on the admission skin check on 08/17; husband reports prolonged sitting and bed rest over the last week).
Size: 3.2 cm x 2.4 cm x 0.4 cm deep.
Wound bed: 80% red granulation tissue, 20% yellow slough; no bone, tendon or muscle visible; no tunneling; undermining 0.5 cm at 12 o'clock.
Drainage: moderate serosanguinous, no odor.
Periwound: macerated 1 cm rim; incontinence-associated dermatitis of both buttocks.
Braden score 11 (high risk).

Interventions:
- Cleanse with normal saline; calcium alginate to the wound bed, covered with a silicone bordered foam dressing; change daily and whenever soiled.
- Zinc oxide barrier cream to the buttocks after each incontinent episode.
- Low-air-loss mattress ordered. Turn every 2 hours; heels floated on pillows.
- If stool output stays above four episodes a day, discuss an internal fecal management system with the team.
- Recommend a dietitian screen for protein needs for wound healing.

Education: husband taught offloading and the dressing change; he demonstrated it back correctly.

Plan: wound care nurse follow-up every 3 days and as needed; primary nurse to call with any deterioration (increasing size, odor, purulent drainage or surrounding redness).
"""

PN = """\
PROGRESS NOTE - Hospital day 3

Subjective: Three stools in the past 24 hours, more formed. Cramping better. Eating about half of her meals. Husband at the bedside.

Objective:
Vitals: T 36.8 C, HR 80, BP 124/70, RR 16, SpO2 97% on room air.
Exam: abdomen soft, mild lower tenderness, normal bowel sounds. Tremor unchanged. Sacral dressing clean and intact.
Labs: WBC 8.7, creatinine 0.7, potassium 3.9, glucose 110 to 150.

Assessment and plan:
1. Clostridioides difficile colitis, initial episode, non-severe - improving on oral vancomycin, day 3 of 10. Stop IV fluids; drinking well.
2. Parkinson disease - physical therapy: needs a walker and the assistance of one; recommends home with home health physical therapy.
3. Type 2 diabetes mellitus without complications - glucose in range; resume metformin at discharge if the stools stay formed.
4. Hypertension - pressure back to baseline; resume amlodipine at discharge.
5. Wound care per nursing; low-air-loss mattress in place.
Disposition: home with home health (physical therapy and skilled nursing) on 08/21.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 08/17/2026. Discharge date: 08/21/2026.

Discharge diagnoses:
1. Clostridioides difficile colitis, initial episode, non-severe
2. Parkinson disease
3. Type 2 diabetes mellitus without complications
4. Hypertension
5. Osteoporosis

Hospital course: 84-year-old woman admitted with five days of watery diarrhea three weeks after a course of amoxicillin-clavulanate. Stool testing was positive for C. difficile toxin. She was treated with oral vancomycin, IV fluids and contact precautions; stools fell to one or two formed stools a day by discharge. WBC stayed normal and creatinine returned to 0.7. Carbidopa-levodopa was given on her home schedule throughout. Metformin and amlodipine were held during the stay and are resumed at discharge. Wound care per nursing; she was seen by the wound care nurse, and a low-air-loss mattress was used.

Discharge medications:
- vancomycin 125 mg by mouth four times daily through 08/26 (new)
- carbidopa-levodopa 25/100 mg, 1.5 tablets four times daily
- metformin 500 mg twice daily (resume); amlodipine 5 mg daily (resume)
- alendronate 70 mg weekly; vitamin D

Home health orders: skilled nursing for wound care per the wound care nurse's instructions (calcium alginate and bordered foam dressing daily); physical therapy.

Patient instructions: Wash hands with soap and water, not only sanitizer, to stop the spread of C. difficile. Finish the vancomycin. Change position at least every 2 hours and use the pressure-relieving cushion in the recliner. Call for more than three watery stools a day, blood in the stool, fever or belly pain.

Follow-up: primary care in 1 week; wound clinic in 2 weeks.
"""

SAMPLE = {
    "id": "nurse-only-pressure-injury",
    "setting": "inpatient",
    "shows": 'A wound, ostomy and continence nurse documents a stage 3 sacral pressure injury present on admission (size, wound bed, Braden 11); the providers write only "wound care per nursing", so the diagnosis itself is never documented by a provider. Diabetes is fully specified.',
    "patient": {
        "given": "Ottilie",
        "family": "Ferreira-Nakagawa",
        "gender": "female",
        "birth_date": "1941-10-03",
        "mrn": "FS-1008",
    },
    "practitioners": {
        "attending": {"given": "Desmond", "family": "Achebe-Larsen", "suffix": "MD", "role": "attending"},
        "wound-nurse": {"given": "Beatrix", "family": "Holloway", "suffix": "RN", "role": "nurse"},
    },
    "attending": "attending",
    "period": ("2026-08-17T11:05:00Z", "2026-08-21T16:00:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-08-17T14:20:00Z",
            "text": HP,
        },
        {
            "id": "wound1",
            "type": "nurse-note",
            "author": "wound-nurse",
            "date": "2026-08-18T10:40:00Z",
            "text": WOUND,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-08-19T13:00:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-08-21T16:00:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Clostridioides difficile colitis, initial episode",
            "icd10cm": "A04.72",
            "icd10cm_display": "Enterocolitis due to Clostridium difficile, not specified as recurrent",
            "recorded": "2026-08-17",
            "asserter": "attending",
        },
        {
            "text": "Type 2 diabetes mellitus without complications",
            "snomed": "44054006",
            "snomed_display": "Diabetes mellitus type 2",
            "icd10cm": "E11.9",
            "recorded": "2026-08-17",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("8310-5", 37.4, "2026-08-17T11:20:00Z"),
        ("8867-4", 92, "2026-08-17T11:20:00Z"),
        ("8480-6", 112, "2026-08-17T11:20:00Z"),
        ("6690-2", 10.2, "2026-08-17T12:00:00Z"),
        ("718-7", 12.6, "2026-08-17T12:00:00Z"),
        ("2951-2", 139, "2026-08-17T12:00:00Z"),
        ("2823-3", 3.6, "2026-08-17T12:00:00Z"),
        ("2160-0", 0.8, "2026-08-17T12:00:00Z"),
        ("2345-7", 132, "2026-08-17T12:00:00Z"),
        ("6690-2", 8.7, "2026-08-19T05:30:00Z"),
        ("2160-0", 0.7, "2026-08-19T05:30:00Z"),
    ],
    "expected": [{"kind": "undocumented", "topic": "pressure_injury"}],
    "not_expected": ["diabetes"],
}
