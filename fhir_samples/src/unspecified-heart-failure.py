# ruff: noqa: E501
"""Inpatient: "CHF exacerbation" treated with IV diuretics, BNP high, LVEF 30%, and the type never documented."""

HP = """\
HISTORY AND PHYSICAL - Internal Medicine

Chief complaint: short of breath and legs swelling for a week.

History of present illness: 68-year-old man with CHF, coronary artery disease with a prior inferior myocardial infarction (PCI to the right coronary artery in 2019) and hypertension, who presents with one week of progressive dyspnea on exertion, now after walking one block, two-pillow orthopnea, and one episode of waking up at night short of breath. He has gained about 4 kg. He ran out of furosemide ten days ago and ate a lot of salty food at a family gathering last weekend. No chest pain, no fever, no cough productive of sputum.

Past medical history: CHF; coronary artery disease s/p PCI 2019; hypertension; hyperlipidemia; gout.
Medications: furosemide 40 mg daily (not taken for 10 days), carvedilol 12.5 mg twice daily, lisinopril 10 mg daily, spironolactone 25 mg daily, atorvastatin 80 mg, aspirin 81 mg, allopurinol 100 mg.
Allergies: none known.
Family history: father died of a myocardial infarction at 70; sister with hypertension.
Social history: retired bus driver, lives with his wife. Never smoker. No alcohol.
Review of systems: positive for dyspnea, orthopnea, leg swelling and weight gain. Negative for chest pain, syncope, palpitations, fever and productive cough.

Physical exam: T 36.7 C, HR 94, BP 148/88, RR 22, SpO2 93% on room air. Weight 88.2 kg. JVP 14 cm. Crackles at both bases to the mid lung fields. S3 gallop. 2+ pitting edema to the mid shins bilaterally.

Data: BNP 1,480 pg/mL. Creatinine 1.0, sodium 137, potassium 4.1, hemoglobin 14.2. Troponin I below the reporting limit twice. ECG: sinus rhythm at 94, old inferior Q waves, no acute ST changes. Chest x-ray: cardiomegaly, pulmonary vascular congestion and small bilateral pleural effusions; no consolidation to suggest pneumonia. Last echocardiogram (2023): LVEF 35%.

Assessment and plan:
1. CHF exacerbation - volume overloaded after running out of furosemide, with a dietary sodium load. Furosemide 40 mg IV twice daily, strict intake and output, daily weights, 2 g sodium diet, 1.5 L fluid restriction. Continue carvedilol and lisinopril; hold spironolactone during aggressive diuresis and recheck potassium in the morning. Transthoracic echocardiogram.
2. Coronary artery disease - no angina, troponin negative; continue aspirin and atorvastatin.
3. Hypertension - expect improvement with diuresis.
4. Gout - quiet; continue allopurinol.
5. VTE prophylaxis - heparin 5,000 units subcutaneously every 8 hours.
"""

PN = """\
PROGRESS NOTE - Hospital day 3

Subjective: Breathing much easier. Slept flat last night with one pillow. Legs less swollen. Walked to the nurses' station without stopping.

Objective:
Vitals: T 36.5 C, HR 78, BP 126/74, RR 16, SpO2 96% on room air.
Weight 85.6 kg (admission 88.2 kg). Net negative 3.1 L since admission.
Exam: JVP 8 cm. Faint crackles at the bases. Trace ankle edema.
Labs: creatinine 1.1, potassium 3.9, sodium 138.
Echocardiogram (02/04): LVEF 30%, global hypokinesis worse in the inferior wall, moderate functional mitral regurgitation, no pericardial effusion.

Assessment and plan:
1. CHF exacerbation - improving with IV furosemide. Change to furosemide 40 mg by mouth twice daily today and reassess weight tomorrow. Echocardiogram reviewed with the patient: LVEF 30%. Continue carvedilol and lisinopril; resume spironolactone. Discussed switching lisinopril to sacubitril-valsartan; will leave that decision to his cardiology visit next week.
2. Coronary artery disease - stable; aspirin and atorvastatin.
3. Hypertension - controlled.
4. Gout - no flare.
Disposition: home on 02/07 if weight is stable on oral furosemide. Teaching on daily weights and salt limits started with his wife present.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 02/03/2026. Discharge date: 02/07/2026.

Discharge diagnoses:
1. CHF exacerbation
2. Coronary artery disease s/p PCI
3. Hypertension
4. Hyperlipidemia
5. Gout

Hospital course: 68-year-old man admitted with a week of dyspnea, orthopnea, edema and a 4 kg weight gain after running out of furosemide and a dietary sodium load. BNP was 1,480 on admission and the chest x-ray showed vascular congestion with small effusions. He was diuresed with IV furosemide 40 mg twice daily, net negative 4.0 L, and his weight went from 88.2 to 84.9 kg. He was changed to oral furosemide 40 mg twice daily on day 3 with a stable weight over the following 48 hours. Creatinine stayed between 1.0 and 1.1. The echocardiogram showed LVEF 30% with global hypokinesis. Troponin was negative and there was no angina. Spironolactone was held for two days and restarted.

Condition at discharge: stable, walking without dyspnea, on room air.

Discharge medications:
- furosemide 40 mg by mouth twice daily (changed from once daily)
- carvedilol 12.5 mg twice daily
- lisinopril 10 mg daily
- spironolactone 25 mg daily
- atorvastatin 80 mg, aspirin 81 mg, allopurinol 100 mg

Patient instructions: Weigh yourself every morning after using the bathroom and write it down. Call the office if your weight goes up more than 1 kg in a day or 2 kg in a week, or if you are more short of breath or your legs swell. Keep salt under 2 grams a day and fluids under 1.5 liters a day. Do not run out of furosemide: ask the pharmacy for automatic refills.

Follow-up: cardiology clinic in 1 week with a basic metabolic panel; primary care in 2 weeks.
"""

SAMPLE = {
    "id": "unspecified-heart-failure",
    "setting": "inpatient",
    "shows": '"CHF exacerbation" (acuity stated: acute) treated with IV furosemide, BNP 1,480 and LVEF 30% Observations, but no provider ever documents the type; pneumonia is explicitly excluded on the chest x-ray.',
    "patient": {
        "given": "Leopold",
        "family": "Brannigan-Osei",
        "gender": "male",
        "birth_date": "1957-09-21",
        "mrn": "FS-1002",
    },
    "practitioners": {
        "attending": {"given": "Priya", "family": "Castellanos-Hale", "suffix": "MD", "role": "attending"},
    },
    "attending": "attending",
    "period": ("2026-02-03T21:15:00Z", "2026-02-07T13:40:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-02-03T23:50:00Z",
            "text": HP,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-02-05T14:30:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-02-07T13:40:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Congestive heart failure",
            "snomed": "42343007",
            "icd10cm": "I50.9",
            "icd10cm_display": "Heart failure, unspecified",
            "recorded": "2026-02-03",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("42637-9", 1480, "2026-02-03T21:50:00Z"),
        ("2160-0", 1.0, "2026-02-03T21:50:00Z"),
        ("2951-2", 137, "2026-02-03T21:50:00Z"),
        ("59408-5", 93, "2026-02-03T21:30:00Z"),
        ("29463-7", 88.2, "2026-02-03T22:00:00Z"),
        ("10230-1", 30, "2026-02-04T11:00:00Z"),
        ("2160-0", 1.1, "2026-02-05T05:40:00Z"),
        ("29463-7", 84.9, "2026-02-07T06:00:00Z"),
    ],
    "expected": [{"kind": "unspecified", "topic": "heart_failure", "axes": ["type"]}],
    "not_expected": ["pneumonia"],
}
