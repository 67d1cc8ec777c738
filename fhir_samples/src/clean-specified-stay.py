# ruff: noqa: E501
"""Inpatient control: every diagnosis carries the specificity ICD-10-CM needs; nothing to query."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: breathless and swollen ankles.

History of present illness: 72-year-old man with chronic systolic heart failure from ischemic cardiomyopathy (LVEF 30 to 35%), paroxysmal atrial fibrillation on apixaban, type 2 diabetes mellitus with diabetic chronic kidney disease, and CKD stage 3a (baseline creatinine 1.4 to 1.5, eGFR 45 to 50), who presents with five days of increasing dyspnea on exertion, three-pillow orthopnea and a 3.5 kg weight gain after a salty holiday weekend. He takes his medications every day. No chest pain, fever or palpitations.

Past medical history: chronic systolic heart failure (HFrEF), ischemic cardiomyopathy; coronary artery disease s/p CABG 2017; paroxysmal atrial fibrillation; type 2 diabetes mellitus with diabetic chronic kidney disease; CKD stage 3a; hypertension.
Medications: sacubitril-valsartan 49/51 mg twice daily, metoprolol succinate 100 mg daily, dapagliflozin 10 mg daily, furosemide 40 mg daily, apixaban 5 mg twice daily, atorvastatin 80 mg daily, linagliptin 5 mg daily.
Allergies: no known drug allergies.
Family history: father died of a stroke at 78; mother with hypertension.
Social history: retired accountant, lives with his wife; never smoker; rare alcohol.
Review of systems: positive for dyspnea, orthopnea and ankle swelling. Negative for chest pain, syncope, palpitations, fever, cough and dysuria.

Physical exam: T 36.6 C, HR 82 and regular, BP 132/78, RR 20, SpO2 95% on room air. Weight 84.0 kg. JVP 13 cm. Crackles at both bases. 2+ pitting edema to the knees.

Data: BNP 1,250. Creatinine 1.5 (baseline 1.4 to 1.5), eGFR 47. Sodium 137, potassium 4.6, hemoglobin 13.4, glucose 146, A1c 7.1%. ECG: sinus rhythm at 82, old anterior Q waves. Chest x-ray: cardiomegaly with interstitial edema and a small right pleural effusion.

Assessment and plan:
1. Acute on chronic systolic heart failure (HFrEF), precipitated by dietary sodium - furosemide 40 mg IV twice daily, daily weights, strict intake and output, 2 g sodium diet. Continue metoprolol succinate, sacubitril-valsartan and dapagliflozin. Repeat echocardiogram.
2. CKD stage 3a - creatinine at baseline; BMP daily during diuresis; avoid nephrotoxins.
3. Type 2 diabetes mellitus with diabetic chronic kidney disease - A1c 7.1%; continue linagliptin and dapagliflozin; fingerstick glucose before meals.
4. Paroxysmal atrial fibrillation - in sinus rhythm; continue apixaban 5 mg twice daily and metoprolol.
5. Coronary artery disease s/p CABG - no angina; atorvastatin.
"""

PN = """\
PROGRESS NOTE - Hospital day 3

Subjective: Much less short of breath; slept with one pillow. Ankles smaller. Walking the hall without stopping.

Objective:
Vitals: T 36.4 C, HR 74, BP 118/70, RR 16, SpO2 97% on room air.
Weight 81.6 kg (admission 84.0 kg); net negative 2.9 L.
Exam: JVP 8 cm, faint bibasilar crackles, trace ankle edema.
Telemetry: sinus rhythm throughout.
Labs: creatinine 1.6, potassium 4.3, sodium 136, glucose 120 to 160.
Echocardiogram (05/12): LVEF 30%, anterior and apical akinesis, mild mitral regurgitation, unchanged from last year.

Assessment and plan:
1. Acute on chronic systolic heart failure (HFrEF) - improving; one more day of IV furosemide, then furosemide 40 mg by mouth twice daily. Continue metoprolol succinate, sacubitril-valsartan, dapagliflozin.
2. CKD stage 3a - creatinine 1.6 from 1.5 with diuresis, acceptable; recheck tomorrow.
3. Type 2 diabetes mellitus with diabetic chronic kidney disease - glucose in range on linagliptin and dapagliflozin.
4. Paroxysmal atrial fibrillation - sinus rhythm; apixaban.
5. Coronary artery disease - atorvastatin.
Disposition: home in about 48 hours; heart failure education with the nurse educator today.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 05/11/2026. Discharge date: 05/15/2026.

Final diagnoses:
1. Acute on chronic systolic (congestive) heart failure
2. Chronic kidney disease stage 3a
3. Type 2 diabetes mellitus with diabetic chronic kidney disease
4. Paroxysmal atrial fibrillation
5. Coronary artery disease s/p CABG
6. Hypertension

Hospital course: 72-year-old man with HFrEF admitted with volume overload after a dietary sodium load: BNP 1,250, weight up 3.5 kg, edema to the knees. He was diuresed with IV furosemide, net negative 3.4 L, and his weight went from 84.0 to 80.9 kg. The echocardiogram showed LVEF 30%, unchanged. Creatinine went from 1.5 to 1.6 and back to 1.5, his baseline for CKD stage 3a. He stayed in sinus rhythm on telemetry and continued apixaban. Glucose was controlled on his home regimen.

Condition at discharge: stable, euvolemic, on room air.

Discharge medications:
- furosemide 40 mg twice daily (increased from once daily)
- sacubitril-valsartan 49/51 mg twice daily; metoprolol succinate 100 mg daily; dapagliflozin 10 mg daily
- apixaban 5 mg twice daily; atorvastatin 80 mg daily; linagliptin 5 mg daily

Patient instructions: Weigh yourself every morning; call the clinic if your weight goes up more than 1 kg in a day or 2 kg in a week. Keep salt under 2 grams a day. Take furosemide twice a day now, in the morning and early afternoon. Keep taking apixaban every day; do not stop it without talking to your doctor.

Follow-up: heart failure clinic in 1 week with a basic metabolic panel; nephrology in 3 months as planned; primary care in 2 weeks.
"""

SAMPLE = {
    "id": "clean-specified-stay",
    "setting": "inpatient",
    "shows": "Control: acute on chronic systolic heart failure, CKD stage 3a, type 2 diabetes with diabetic CKD and paroxysmal atrial fibrillation, all documented with their specificity and matching Conditions and labs (eGFR 47, LVEF 30%).",
    "patient": {
        "given": "Bartholomew",
        "family": "Nakashima-Reyes",
        "gender": "male",
        "birth_date": "1953-08-08",
        "mrn": "FS-1005",
    },
    "practitioners": {
        "attending": {"given": "Sunniva", "family": "Adeyemi-Clarke", "suffix": "MD", "role": "attending"},
    },
    "attending": "attending",
    "period": ("2026-05-11T19:30:00Z", "2026-05-15T14:00:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-05-11T22:00:00Z",
            "text": HP,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-05-13T13:00:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-05-15T14:00:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Acute on chronic systolic (congestive) heart failure",
            "icd10cm": "I50.23",
            "recorded": "2026-05-11",
            "asserter": "attending",
        },
        {
            "text": "Chronic kidney disease, stage 3a",
            "icd10cm": "N18.31",
            "recorded": "2026-05-11",
            "asserter": "attending",
        },
        {
            "text": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
            "icd10cm": "E11.22",
            "recorded": "2026-05-11",
            "asserter": "attending",
        },
        {
            "text": "Paroxysmal atrial fibrillation",
            "snomed": "282825002",
            "icd10cm": "I48.0",
            "recorded": "2026-05-11",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("42637-9", 1250, "2026-05-11T20:10:00Z"),
        ("2160-0", 1.5, "2026-05-11T20:10:00Z"),
        ("33914-3", 47, "2026-05-11T20:10:00Z"),
        ("2951-2", 137, "2026-05-11T20:10:00Z"),
        ("2823-3", 4.6, "2026-05-11T20:10:00Z"),
        ("718-7", 13.4, "2026-05-11T20:10:00Z"),
        ("4548-4", 7.1, "2026-05-11T20:10:00Z"),
        ("29463-7", 84.0, "2026-05-11T21:00:00Z"),
        ("10230-1", 30, "2026-05-12T10:30:00Z"),
        ("2160-0", 1.6, "2026-05-13T05:30:00Z"),
        ("2160-0", 1.5, "2026-05-15T05:30:00Z"),
        ("29463-7", 80.9, "2026-05-15T06:00:00Z"),
    ],
    "expected": [],
    "not_expected": ["heart_failure", "chronic_kidney_disease", "diabetes", "atrial_fibrillation"],
}
