# ruff: noqa: E501
"""Outpatient: "CKD" managed at a follow-up visit with eGFR 40 and 38 three months apart, and no stage."""

VISIT = """\
OFFICE VISIT - Internal Medicine, follow-up

Chief complaint: three-month follow-up of kidney function and blood pressure.

History of present illness: 71-year-old woman with hypertension, CKD and osteoarthritis of the knees here for her three-month follow-up. She feels well. She stopped the ibuprofen she was taking for her knees after the last visit and now uses acetaminophen, which helps enough to walk 30 minutes most days. Home blood pressures 128 to 138 over 74 to 82. No leg swelling, no change in urination, no foamy urine, no dysuria, no shortness of breath. Appetite and weight stable.

Past medical history: hypertension since 2004; CKD, first noted in 2024; osteoarthritis of both knees; cholecystectomy in 2010.
Medications: amlodipine 10 mg daily, losartan 50 mg daily, acetaminophen 650 mg up to three times daily as needed.
Allergies: no known drug allergies.
Family history: mother with hypertension; brother with kidney stones.
Social history: retired librarian, lives with her husband; never smoker; no alcohol.
Review of systems: negative except morning stiffness of the knees.

Vitals: BP 136/80, HR 70, RR 14, weight 64 kg, BMI 24.9.
Exam: well appearing. No edema. Lungs clear. Heart regular, no murmur. Knees with crepitus, no effusion.

Data: eGFR 38 (10/07/2026) and 40 (07/08/2026); creatinine 1.38 and 1.32. Urine albumin-to-creatinine ratio 62 mg/g. Potassium 4.7, bicarbonate 24, hemoglobin 12.3.

Assessment and plan:
1. CKD - eGFR 38 and 40 three months apart, stable, with albuminuria of 62 mg/g. Increase losartan to 100 mg daily for albuminuria and blood pressure; basic metabolic panel in 2 weeks to check potassium and creatinine. Continue to avoid NSAIDs; review every new medication for renal dosing. Discussed adding empagliflozin 10 mg daily after the repeat labs. Nephrology referral placed for co-management.
2. Hypertension - near goal; losartan increased as above; continue amlodipine 10 mg.
3. Osteoarthritis of both knees - acetaminophen; physical therapy referral; avoid ibuprofen and naproxen.

Patient instructions: Take losartan 100 mg once a day starting tomorrow (two of your 50 mg tablets until the new prescription is filled). Do not take ibuprofen, naproxen or other anti-inflammatory pain pills; acetaminophen is fine up to 3 grams a day. Keep checking your blood pressure at home and bring the log.
Follow-up: blood tests in 2 weeks; office visit in 3 months; nephrology appointment will be mailed.
"""

SAMPLE = {
    "id": "unspecified-ckd-outpatient",
    "setting": "outpatient",
    "shows": 'Office visit (class AMB): "CKD" assessed and treated with eGFR 40 and 38 Observations three months apart (stage 3b range) and albuminuria, but no stage is ever documented.',
    "patient": {
        "given": "Philippa",
        "family": "Mwangi-Carrasco",
        "gender": "female",
        "birth_date": "1955-01-27",
        "mrn": "FS-1010",
    },
    "practitioners": {
        "attending": {"given": "Anselm", "family": "Virtanen-Boateng", "suffix": "MD", "role": "attending"},
    },
    "attending": "attending",
    "period": ("2026-10-14T15:00:00Z", "2026-10-14T15:45:00Z"),
    "notes": [
        {
            "id": "visit",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-10-14T15:45:00Z",
            "text": VISIT,
        },
    ],
    "conditions": [],
    "observations": [
        ("33914-3", 40, "2026-07-08T14:00:00Z"),
        ("2160-0", 1.32, "2026-07-08T14:00:00Z"),
        ("33914-3", 38, "2026-10-07T14:20:00Z"),
        ("2160-0", 1.38, "2026-10-07T14:20:00Z"),
        ("9318-7", 62, "2026-10-07T14:20:00Z"),
        ("2823-3", 4.7, "2026-10-07T14:20:00Z"),
        ("718-7", 12.3, "2026-10-07T14:20:00Z"),
        ("8480-6", 136, "2026-10-14T15:05:00Z"),
        ("39156-5", 24.9, "2026-10-14T15:05:00Z"),
    ],
    "expected": [{"kind": "unspecified", "topic": "chronic_kidney_disease", "axes": ["stage"]}],
    "not_expected": [],
}
